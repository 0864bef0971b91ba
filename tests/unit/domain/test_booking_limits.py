"""Campus-wide limits of BookingRules: how far ahead, and how many upcoming bookings a student
holds; every limit broken is listed, with its reason code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from campus_booking.domain.booking_checks import (
    OVER_CAPACITY,
    Usage,
    policy_violations,
    room_violations,
)
from campus_booking.domain.booking_rules import ACTIVE_BOOKINGS_LIMIT, TOO_FAR_AHEAD, BookingRules
from campus_booking.domain.errors import RulesBroken, Violation
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)
RULES = BookingRules(
    max_duration=timedelta(hours=8), max_ahead=timedelta(days=365), max_active_per_student=20
)
ROOM = Room(name="Oak", building="Main", capacity=10, created_at=NOW)
UTC_ZONE = ZoneInfo("UTC")


def student(role: Role = Role.STUDENT) -> User:
    return User(email="a@uni.edu", full_name="A", password_hash="h", created_at=NOW, role=role)


class _Rules:
    """The campus defaults of RULES for a student, checked as a booking request is."""

    def check(
        self,
        *,
        room: Room,
        slot: TimeSlot,
        attendees: int,
        now: datetime,
        active_bookings: int | None = None,
    ) -> None:
        limits = RULES.limits_for(None, student())
        usage = None if active_bookings is None else Usage(upcoming=active_bookings)
        violations = room_violations(room, slot, attendees, now) + policy_violations(
            limits, slot=slot, now=now, zone=UTC_ZONE, usage=usage
        )
        if violations:
            raise RulesBroken(violations)


CAMPUS = _Rules()


def ending(after: timedelta, hours: int = 2) -> TimeSlot:
    end = NOW + after
    return TimeSlot(end - timedelta(hours=hours), end)


def codes(error: RulesBroken) -> list[str]:
    return [violation.code for violation in error.violations]


def test_the_defaults_are_a_year_ahead_and_twenty_bookings() -> None:
    assert BookingRules().max_ahead == timedelta(days=365)
    assert BookingRules().max_active_per_student == 20


def test_a_booking_ending_exactly_at_the_horizon_is_accepted() -> None:
    CAMPUS.check(room=ROOM, slot=ending(timedelta(days=365)), attendees=1, now=NOW)


def test_a_booking_ending_past_the_horizon_is_too_far_ahead() -> None:
    with pytest.raises(RulesBroken) as raised:
        CAMPUS.check(
            room=ROOM, slot=ending(timedelta(days=365, microseconds=1)), attendees=1, now=NOW
        )

    assert raised.value.violations == [
        Violation(
            TOO_FAR_AHEAD,
            "ends_at",
            "a booking must end within 365 days from now",
            {"limit": 365, "actual": 366},
        )
    ]


def test_the_horizon_is_measured_to_the_end_not_the_start() -> None:
    # Starts within the year, ends an hour past it.
    slot = ending(timedelta(days=365, hours=1), hours=3)
    assert slot.start < NOW + timedelta(days=365)

    with pytest.raises(RulesBroken) as raised:
        CAMPUS.check(room=ROOM, slot=slot, attendees=1, now=NOW)
    assert codes(raised.value) == [TOO_FAR_AHEAD]


def test_the_last_day_of_the_calendar_is_too_far_ahead() -> None:
    slot = TimeSlot(datetime(9999, 12, 31, 10, tzinfo=UTC), datetime(9999, 12, 31, 12, tzinfo=UTC))

    with pytest.raises(RulesBroken) as raised:
        CAMPUS.check(room=ROOM, slot=slot, attendees=1, now=NOW)
    assert codes(raised.value) == [TOO_FAR_AHEAD]


@pytest.mark.parametrize("held", [0, 19])
def test_a_student_under_the_limit_may_book(held: int) -> None:
    CAMPUS.check(
        room=ROOM, slot=ending(timedelta(days=1)), attendees=1, now=NOW, active_bookings=held
    )


@pytest.mark.parametrize("held", [20, 21, 500])
def test_a_student_at_the_limit_is_refused(held: int) -> None:
    with pytest.raises(RulesBroken) as raised:
        CAMPUS.check(
            room=ROOM, slot=ending(timedelta(days=1)), attendees=1, now=NOW, active_bookings=held
        )

    [violation] = raised.value.violations
    assert violation.code == ACTIVE_BOOKINGS_LIMIT
    assert "at most 20 upcoming active bookings" in violation.message
    assert violation.details == {"limit": 20, "actual": held + 1}


def test_every_broken_limit_is_listed_not_just_the_first() -> None:
    with pytest.raises(RulesBroken) as raised:
        CAMPUS.check(
            room=ROOM,
            slot=ending(timedelta(days=400)),
            attendees=1,
            now=NOW,
            active_bookings=20,
        )

    assert codes(raised.value) == [TOO_FAR_AHEAD, ACTIVE_BOOKINGS_LIMIT]


def test_the_rooms_own_rules_are_listed_with_the_limits() -> None:
    with pytest.raises(RulesBroken) as raised:
        CAMPUS.check(room=ROOM, slot=ending(timedelta(days=400)), attendees=11, now=NOW)

    assert codes(raised.value) == [OVER_CAPACITY, TOO_FAR_AHEAD]
    assert raised.value.violations[0].details == {"limit": 10, "actual": 11}


@pytest.mark.parametrize(
    ("role", "counted"), [(Role.STUDENT, True), (Role.STAFF, False), (Role.ADMIN, False)]
)
def test_only_students_bookings_are_counted(role: Role, counted: bool) -> None:
    limit = RULES.limits_for(None, student(role)).max_active_bookings

    assert limit == (20 if counted else None)


@pytest.mark.parametrize(
    "options",
    [
        {"max_ahead": timedelta(0)},
        {"max_ahead": timedelta(days=-1)},
        {"max_active_per_student": 0},
    ],
)
def test_limits_that_would_refuse_everything_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must be positive|must be limited to 1 to"):
        BookingRules(**options)  # type: ignore[arg-type]


def test_rules_broken_needs_a_violation() -> None:
    with pytest.raises(ValueError, match="at least one violation"):
        RulesBroken([])
