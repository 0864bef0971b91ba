"""GetBooking: a requester sees their own booking, staff and admins anyone's."""

from __future__ import annotations

from dataclasses import asdict
from uuid import uuid4

import pytest

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import GetBooking
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.errors import NotFound
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.builders import add_booking, add_user, slot


async def test_the_requester_gets_their_booking(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(1, 2), by=student)

    found = await GetBooking(uow)(student, booking.id)

    assert asdict(found) == asdict(booking)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_get_anyones_booking(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room, role: Role
) -> None:
    manager = add_user(store, role)
    booking = add_booking(store, room, slot(1, 2), by=student)

    found = await GetBooking(uow)(manager, booking.id)

    assert (found.id, found.requester_id) == (booking.id, student.id)


async def test_another_students_booking_is_not_found(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(1, 2), by=other_student)

    with pytest.raises(NotFound) as error:
        await GetBooking(uow)(student, booking.id)

    assert error.value.message == "Booking not found."


async def test_an_unknown_booking_is_not_found(uow: UnitOfWorkFactory, staff: User) -> None:
    with pytest.raises(NotFound) as error:
        await GetBooking(uow)(staff, uuid4())

    assert error.value.message == "Booking not found."
