"""The database's own overlap guard, at its edges: half-open slots and the 24-hour look-back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from campus_booking.adapters.database.tables import bookings
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User

NOW = datetime(2030, 1, 1, tzinfo=UTC)
T = datetime(2030, 3, 2, 9, tzinfo=UTC)

UowFactory = Callable[..., SqlAlchemyUnitOfWork]


async def room_and_user(uow_factory: UowFactory) -> tuple[Room, User]:
    room = Room.create(name="Oak", building="Main", capacity=10, now=NOW, by=None)
    user = User.register(
        email="ana@uni.example", full_name="Ana", password_hash="x", now=NOW, self_service=True
    )
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.rooms.add(room)
        await uow.commit()
    return room, user


def booking(room: Room, user: User, start: datetime, end: datetime) -> Booking:
    return Booking.request(
        room_id=room.id,
        requester_id=user.id,
        slot=TimeSlot(start, end),
        title="Seminar",
        attendees=2,
        needs_approval=False,
        now=NOW,
    )


async def test_a_day_long_booking_is_found_by_one_starting_just_before_it_ends(
    uow_factory: UowFactory,
) -> None:
    room, user = await room_and_user(uow_factory)
    day_long = booking(room, user, T, T + timedelta(hours=24))
    late = booking(room, user, T + timedelta(hours=23, minutes=59), T + timedelta(hours=25))
    async with uow_factory() as uow:
        await uow.bookings.add(day_long)
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        found = await uow.bookings.overlapping(room.id, late.slot)
    async with uow_factory() as uow:
        with pytest.raises(SlotTaken):  # the database itself, not the friendly check
            await uow.bookings.add(late)

    assert [clash.id for clash in found] == [day_long.id]


async def test_a_booking_may_start_exactly_when_a_day_long_one_ends(
    uow_factory: UowFactory,
) -> None:
    room, user = await room_and_user(uow_factory)
    async with uow_factory() as uow:
        await uow.bookings.add(booking(room, user, T, T + timedelta(hours=24)))
        await uow.bookings.add(
            booking(room, user, T + timedelta(hours=24), T + timedelta(hours=25))
        )
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        stored = await uow.bookings.active_from(room.id, T - timedelta(days=1))

    assert [b.status for b in stored] == [BookingStatus.APPROVED, BookingStatus.APPROVED]


async def test_the_database_refuses_a_booking_longer_than_a_day(uow_factory: UowFactory) -> None:
    room, user = await room_and_user(uow_factory)
    row = {
        "id": booking(room, user, T, T + timedelta(hours=1)).id,
        "room_id": room.id,
        "requester_id": user.id,
        "starts_at": T,
        "ends_at": T + timedelta(hours=24, seconds=1),
        "title": "Marathon",
        "attendees": 1,
        "status": "CANCELLED",
        "created_at": NOW,
    }
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError, match="at_most_a_day"):
            await uow._connection.execute(insert(bookings).values(row))
