"""Booking rules, and who may see, change and cancel which booking, checked by role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from campus_booking.domain.access import (
    check_can_cancel,
    check_can_change,
    check_can_see,
)
from campus_booking.domain.booking_checks import (
    IN_THE_PAST,
    OVER_CAPACITY,
    ROOM_INACTIVE,
    TOO_LONG,
    policy_violations,
    room_violations,
)
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import InvalidTransition, NotFound, Violation
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
REQUESTER_ID = UUID("00000000-0000-0000-0000-000000000001")
OTHER_ID = UUID("00000000-0000-0000-0000-000000000002")
ROOM_ID = UUID("00000000-0000-0000-0000-00000000000a")
MANAGERS = [Role.STAFF, Role.ADMIN]
INACTIVE = [BookingStatus.CANCELLED, BookingStatus.REJECTED]


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def slot(start: float, end: float) -> TimeSlot:
    return TimeSlot(at(start), at(end))


def room(*, capacity: int = 10, is_active: bool = True) -> Room:
    return Room(
        name="Oak",
        building="Main",
        capacity=capacity,
        created_at=NOW,
        is_active=is_active,
        id=ROOM_ID,
    )


def user(role: Role, user_id: UUID = REQUESTER_ID) -> User:
    return User(
        email="someone@uni.edu",
        full_name="Someone",
        password_hash="hash",
        created_at=NOW,
        role=role,
        id=user_id,
    )


def booking(
    start: float = 1, end: float = 2, *, status: BookingStatus = BookingStatus.APPROVED
) -> Booking:
    """A booking made by REQUESTER_ID."""
    return Booking(
        room_id=ROOM_ID,
        requester_id=REQUESTER_ID,
        slot=slot(start, end),
        title="Seminar",
        attendees=4,
        status=status,
        created_at=NOW,
    )


# --- BookingRules: the campus defaults, and the room's own rules ---------------------------


def check(rules: BookingRules, *, room: Room, slot: TimeSlot, attendees: int) -> list[Violation]:
    """Every rule a student's request breaks in a room without a policy (quotas aside)."""
    limits = rules.limits_for(None, user(Role.STUDENT))
    return room_violations(room, slot, attendees, NOW) + policy_violations(
        limits, slot=slot, now=NOW, zone=ZoneInfo("UTC")
    )


def test_a_request_within_every_limit_passes() -> None:
    assert check(BookingRules(), room=room(capacity=10), slot=slot(0, 8), attendees=10) == []


def test_an_inactive_room_is_a_violation_listed_with_the_others() -> None:
    violations = check(BookingRules(), room=room(is_active=False), slot=slot(-1, 20), attendees=99)

    assert [v.code for v in violations] == [ROOM_INACTIVE, IN_THE_PAST, OVER_CAPACITY, TOO_LONG]
    assert violations[0] == Violation(
        ROOM_INACTIVE, "room_id", "room 'Oak' is no longer in use and cannot be booked"
    )


@pytest.mark.parametrize("start", [-0.001, -1, -20])
def test_a_start_in_the_past_is_refused(start: float) -> None:
    violations = check(BookingRules(), room=room(), slot=slot(start, start + 1), attendees=1)

    assert violations == [Violation(IN_THE_PAST, "starts_at", "must not be in the past")]


def test_a_slot_longer_than_the_maximum_is_refused() -> None:
    too_long = TimeSlot(at(1), at(9) + timedelta(seconds=1))

    violations = check(BookingRules(), room=room(), slot=too_long, attendees=1)

    assert violations == [
        Violation(
            TOO_LONG, "ends_at", "a booking may last at most 8 hours", {"limit": 480, "actual": 481}
        )
    ]


@pytest.mark.parametrize(
    ("max_duration", "length", "reason"),
    [
        (timedelta(minutes=90), 1.75, "a booking may last at most 1.5 hours"),
        (timedelta(hours=2), 2.5, "a booking may last at most 2 hours"),
    ],
)
def test_the_maximum_duration_is_configurable(
    max_duration: timedelta, length: float, reason: str
) -> None:
    rules = BookingRules(max_duration=max_duration)

    [violation] = check(rules, room=room(), slot=slot(1, 1 + length), attendees=1)

    assert (violation.code, violation.field, violation.message) == (TOO_LONG, "ends_at", reason)
    assert check(rules, room=room(), slot=slot(1, 1 + length / 2), attendees=1) == []


def test_more_attendees_than_the_room_holds_is_refused() -> None:
    violations = check(BookingRules(), room=room(capacity=10), slot=slot(1, 2), attendees=11)

    assert violations == [
        Violation(
            OVER_CAPACITY,
            "attendees",
            "the room holds at most 10 people",
            {"limit": 10, "actual": 11},
        )
    ]


# --- check_can_see ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_everyone_sees_their_own_booking(role: Role) -> None:
    assert check_can_see(user(role), booking()) is None


@pytest.mark.parametrize("role", MANAGERS)
def test_staff_and_admins_see_anyones_booking(role: Role) -> None:
    assert check_can_see(user(role, OTHER_ID), booking()) is None


def test_a_student_does_not_see_another_students_booking() -> None:
    with pytest.raises(NotFound) as error:
        check_can_see(user(Role.STUDENT, OTHER_ID), booking())

    assert error.value.message == "Booking not found."


# --- check_can_change ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.APPROVED])
@pytest.mark.parametrize("role", list(Role))
def test_an_active_upcoming_booking_may_be_changed_by_its_requester(
    role: Role, status: BookingStatus
) -> None:
    assert check_can_change(user(role), booking(status=status), NOW) is None


@pytest.mark.parametrize("role", MANAGERS)
def test_staff_and_admins_may_change_anyones_upcoming_booking(role: Role) -> None:
    assert check_can_change(user(role, OTHER_ID), booking(), NOW) is None


def test_a_student_may_not_change_another_students_booking() -> None:
    with pytest.raises(NotFound) as error:
        check_can_change(user(Role.STUDENT, OTHER_ID), booking(), NOW)

    assert error.value.message == "Booking not found."


@pytest.mark.parametrize("status", INACTIVE)
def test_another_students_inactive_booking_is_still_not_found_rather_than_refused(
    status: BookingStatus,
) -> None:
    with pytest.raises(NotFound):
        check_can_change(user(Role.STUDENT, OTHER_ID), booking(status=status), NOW)


@pytest.mark.parametrize("status", INACTIVE)
@pytest.mark.parametrize("role", list(Role))
def test_an_inactive_booking_cannot_be_changed(role: Role, status: BookingStatus) -> None:
    with pytest.raises(InvalidTransition) as error:
        check_can_change(user(role), booking(status=status), NOW)

    assert error.value.message == f"A {status.value} booking cannot be changed."


@pytest.mark.parametrize(("start", "end"), [(0, 1), (-1, 1), (-2, -1)])
@pytest.mark.parametrize("role", list(Role))
def test_a_booking_that_has_started_cannot_be_changed(role: Role, start: float, end: float) -> None:
    with pytest.raises(InvalidTransition) as error:
        check_can_change(user(role), booking(start, end), NOW)

    assert error.value.message == "A booking that has started cannot be changed."


# --- check_can_cancel ---------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [(1, 2), (0, 1), (-1, 0.001)])
@pytest.mark.parametrize("role", list(Role))
def test_the_requester_may_cancel_until_the_end(role: Role, start: float, end: float) -> None:
    assert check_can_cancel(user(role), booking(start, end), NOW) is None


@pytest.mark.parametrize(("start", "end"), [(-1, 0), (-3, -2)])
def test_a_student_may_not_cancel_once_the_booking_has_ended(start: float, end: float) -> None:
    with pytest.raises(InvalidTransition) as error:
        check_can_cancel(user(Role.STUDENT), booking(start, end), NOW)

    assert error.value.message == "A booking that has ended cannot be cancelled."


@pytest.mark.parametrize(("start", "end"), [(-1, 0), (-3, -2), (1, 2)])
@pytest.mark.parametrize("role", MANAGERS)
def test_staff_and_admins_may_cancel_anyones_booking_at_any_time(
    role: Role, start: float, end: float
) -> None:
    assert check_can_cancel(user(role, OTHER_ID), booking(start, end), NOW) is None


@pytest.mark.parametrize(("start", "end"), [(1, 2), (-3, -2)])
def test_a_student_may_not_cancel_another_students_booking(start: float, end: float) -> None:
    with pytest.raises(NotFound) as error:
        check_can_cancel(user(Role.STUDENT, OTHER_ID), booking(start, end), NOW)

    assert error.value.message == "Booking not found."
