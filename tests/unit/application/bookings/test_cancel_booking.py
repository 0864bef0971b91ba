"""CancelBooking: who may cancel, and until when."""

from __future__ import annotations

import pytest

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import CancelBooking
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidTransition, NotFound
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.application.store_state import state
from tests.unit.builders import add_booking, add_user, slot


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (1, 2, BookingStatus.APPROVED),
        (1, 2, BookingStatus.PENDING),
        (-1, 1, BookingStatus.APPROVED),
    ],
    ids=["upcoming", "pending", "in-progress"],
)
async def test_the_requester_may_cancel_until_the_booking_ends(
    cancel: CancelBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
    status: BookingStatus,
) -> None:
    booking = add_booking(store, room, slot(start, end), by=student, status=status)

    cancelled = await cancel(student, booking.id)

    assert store.bookings[booking.id].status is BookingStatus.CANCELLED
    assert cancelled.status is BookingStatus.CANCELLED
    assert store.commits == 1


@pytest.mark.parametrize(("start", "end"), [(-1, 0), (-3, -2)], ids=["just-ended", "long-ago"])
async def test_the_requester_may_not_cancel_after_the_end(
    cancel: CancelBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
) -> None:
    booking = add_booking(store, room, slot(start, end), by=student)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await cancel(student, booking.id)

    assert error.value.message == "A booking that has ended cannot be cancelled."
    assert state(store) == before


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_may_cancel_after_the_end(
    cancel: CancelBooking, store: MemoryStore, student: User, room: Room, role: Role
) -> None:
    manager = add_user(store, role)
    booking = add_booking(store, room, slot(-3, -2), by=student)

    await cancel(manager, booking.id)

    assert store.bookings[booking.id].status is BookingStatus.CANCELLED
    assert store.commits == 1


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
async def test_an_inactive_booking_cannot_be_cancelled(
    cancel: CancelBooking, store: MemoryStore, student: User, room: Room, status: BookingStatus
) -> None:
    booking = add_booking(store, room, slot(1, 2), by=student, status=status)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await cancel(student, booking.id)

    assert error.value.message == f"A {status.value} booking cannot be cancelled."
    assert state(store) == before


async def test_cancelling_another_students_booking_is_not_found(
    cancel: CancelBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(1, 2), by=other_student)
    before = state(store)

    with pytest.raises(NotFound) as error:
        await cancel(student, booking.id)

    assert error.value.message == "Booking not found."
    assert state(store) == before
