"""DecideBooking: staff approve or reject a pending booking, saying why."""

from __future__ import annotations

from dataclasses import asdict
from uuid import uuid4

import pytest

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import DecideBooking
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidTransition, InvalidValue, NotFound, PermissionDenied
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.unit.application.store_state import state
from tests.unit.builders import NOW, add_booking, add_room, slot


async def test_approving_records_who_when_and_why(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, approval_room: Room
) -> None:
    booking = add_booking(
        store, approval_room, slot(1, 2), by=student, status=BookingStatus.PENDING
    )

    decided = await decide.approve(staff, booking.id, "  Enjoy  ")

    stored = store.bookings[booking.id]
    assert stored.status is BookingStatus.APPROVED
    assert (stored.decided_by, stored.decided_at, stored.decision_reason) == (
        staff.id,
        NOW,
        "Enjoy",
    )
    assert asdict(decided) == asdict(stored)
    assert store.commits == 1


async def test_approving_without_a_reason_records_none(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, approval_room: Room
) -> None:
    booking = add_booking(
        store, approval_room, slot(1, 2), by=student, status=BookingStatus.PENDING
    )

    await decide.approve(staff, booking.id)

    stored = store.bookings[booking.id]
    assert (stored.status, stored.decided_by, stored.decided_at, stored.decision_reason) == (
        BookingStatus.APPROVED,
        staff.id,
        NOW,
        None,
    )


async def test_rejecting_records_who_when_and_why(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, approval_room: Room
) -> None:
    booking = add_booking(
        store, approval_room, slot(1, 2), by=student, status=BookingStatus.PENDING
    )

    await decide.reject(staff, booking.id, " Exams that week ")

    stored = store.bookings[booking.id]
    assert (stored.status, stored.decided_by, stored.decided_at, stored.decision_reason) == (
        BookingStatus.REJECTED,
        staff.id,
        NOW,
        "Exams that week",
    )
    assert store.commits == 1


@pytest.mark.parametrize(
    "status", [BookingStatus.APPROVED, BookingStatus.REJECTED, BookingStatus.CANCELLED]
)
@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_only_a_pending_booking_can_be_decided(
    decide: DecideBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    status: BookingStatus,
    decision: str,
) -> None:
    booking = add_booking(store, approval_room, slot(1, 2), by=student, status=status)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await getattr(decide, decision)(staff, booking.id, "Because")

    assert error.value.message == (
        f"Only a PENDING booking can be decided; this one is {status.value}."
    )
    assert state(store) == before


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("ended_hours_ago", [0, 1])
async def test_a_pending_booking_that_has_ended_can_no_longer_be_decided(
    decide: DecideBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    decision: str,
    ended_hours_ago: int,
) -> None:
    ended = slot(-2 - ended_hours_ago, -ended_hours_ago)
    booking = add_booking(store, approval_room, ended, by=student, status=BookingStatus.PENDING)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await getattr(decide, decision)(staff, booking.id, "Because")

    assert error.value.message == "A booking that has ended can no longer be decided."
    assert state(store) == before


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_pending_booking_in_an_inactive_room_cannot_be_decided(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, decision: str
) -> None:
    closed = add_room(store, "Closed Hall", requires_approval=True, is_active=False)
    booking = add_booking(store, closed, slot(1, 2), by=student, status=BookingStatus.PENDING)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await getattr(decide, decision)(staff, booking.id, "Because")

    assert "no longer in use" in error.value.message
    assert state(store) == before


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
async def test_rejecting_without_a_reason_is_an_invalid_value(
    decide: DecideBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    reason: str,
) -> None:
    booking = add_booking(
        store, approval_room, slot(1, 2), by=student, status=BookingStatus.PENDING
    )
    before = state(store)

    with pytest.raises(InvalidValue) as error:
        await decide.reject(staff, booking.id, reason)

    assert error.value.field == "reason"
    assert state(store) == before


async def test_deciding_an_unknown_booking_is_not_found(
    decide: DecideBooking, store: MemoryStore, staff: User
) -> None:
    with pytest.raises(NotFound) as error:
        await decide.approve(staff, uuid4())

    assert error.value.message == "Booking not found."
    assert store.commits == 0


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_student_cannot_decide_even_their_own_booking(
    decide: DecideBooking, store: MemoryStore, student: User, approval_room: Room, decision: str
) -> None:
    pending = add_booking(
        store, approval_room, slot(2, 3), by=student, status=BookingStatus.PENDING
    )
    before = state(store)

    with pytest.raises(PermissionDenied):
        await getattr(decide, decision)(student, pending.id, "I say so")

    assert state(store) == before
