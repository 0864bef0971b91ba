"""Closures: periods of any length, a reason always, and what creating and removing record."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.events import ClosureCreated, ClosureRemoved
from campus_booking.domain.time_slots import TimeSlot
from tests.unit.builders import NOW, a_booking, a_room, a_user, at, period, slot


def test_a_period_may_last_longer_than_any_booking() -> None:
    term = Period(at(0), at(24 * 120))

    assert term.end - term.start == timedelta(days=120)


def test_a_period_is_kept_in_utc() -> None:
    berlin = timezone(timedelta(hours=1))

    closed = Period(at(1).astimezone(berlin), at(2).astimezone(berlin))

    assert (closed.start, closed.end) == (at(1), at(2))
    assert closed.start.utcoffset() == timedelta(0)


@pytest.mark.parametrize(("start", "end"), [(2, 2), (3, 2)])
def test_a_period_must_end_after_it_starts(start: float, end: float) -> None:
    with pytest.raises(InvalidValue) as error:
        period(start, end)

    assert error.value.field == "ends_at"


def test_a_naive_period_is_refused() -> None:
    with pytest.raises(InvalidValue) as error:
        Period(at(1).replace(tzinfo=None), at(2))

    assert error.value.field == "starts_at"


@pytest.mark.parametrize(
    ("booked", "overlaps"),
    [
        (slot(0, 1), False),  # ends as the closure starts
        (slot(0, 1.5), True),
        (slot(2, 3), True),  # inside
        (slot(0, 5), True),  # around it
        (slot(3.5, 4), True),
        (slot(4, 5), False),  # starts as the closure ends
    ],
)
def test_a_closure_overlaps_the_slots_it_shares_time_with(booked: TimeSlot, overlaps: bool) -> None:
    assert period(1, 4).overlaps(booked) is overlaps


def test_creating_a_closure_records_it_with_its_cleaned_reason() -> None:
    room, staff = a_room(), a_user()

    closure = Closure.create(
        room_id=room.id, period=period(1, 30), reason="  Renovation  ", by=staff.id, now=NOW
    )

    assert closure.reason == "Renovation"
    (event,) = closure.events
    assert isinstance(event, ClosureCreated)
    assert (event.actor_id, event.at, event.subject_id, event.before) == (
        staff.id,
        NOW,
        closure.id,
        None,
    )
    assert event.after == {
        "room_id": str(room.id),
        "starts_at": at(1).isoformat(),
        "ends_at": at(30).isoformat(),
        "reason": "Renovation",
    }


@pytest.mark.parametrize("reason", ["", "   ", "\n"])
def test_a_closure_must_say_why(reason: str) -> None:
    with pytest.raises(InvalidValue) as error:
        Closure.create(room_id=a_room().id, period=period(1, 2), reason=reason, by=None, now=NOW)

    assert error.value.field == "reason"


def test_removing_a_closure_records_what_it_was() -> None:
    closure = Closure.create(
        room_id=a_room().id, period=period(1, 2), reason="Exams", by=None, now=NOW
    )
    closure.events.clear()
    staff = a_user()

    closure.remove(by=staff.id, at=at(0.5))

    (event,) = closure.events
    assert isinstance(event, ClosureRemoved)
    assert event.after is None
    assert event.before is not None
    assert event.before["reason"] == "Exams"


def test_a_booking_cancelled_for_a_reason_keeps_who_decided_it_and_why() -> None:
    staff = a_user()
    booking = a_booking(a_room(), slot(1, 2), decided_by=a_user().id)

    booking.cancel(by=staff.id, at=NOW, reason="Renovation")

    assert booking.status is BookingStatus.CANCELLED
    assert (booking.decided_by, booking.decided_at, booking.decision_reason) == (
        staff.id,
        NOW,
        "Renovation",
    )
    (event,) = booking.events
    assert event.after == {
        "status": "CANCELLED",
        "decided_by": str(staff.id),
        "decision_reason": "Renovation",
    }


def test_a_booking_cancelled_without_a_reason_keeps_its_decision() -> None:
    approver = a_user().id
    booking = a_booking(a_room(), slot(1, 2), decided_by=approver)

    booking.cancel(by=a_user().id, at=NOW)

    assert (booking.decided_by, booking.decision_reason) == (approver, "Fine by me")
