"""The database keeps every active booking out of its room's closures, whatever a writer checked.

Each test runs on SQLite and on PostgreSQL (revision 0008's triggers), except the last ones,
which show PostgreSQL's triggers queueing concurrent writers that took no lock of their own.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import text

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.bookings import (
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    CreateBookingCommand,
)
from campus_booking.application.closures import CreateClosures, CreateClosuresCommand
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.errors import BookingInTheWay, BookingsInTheWay, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User
from tests.doubles import blind_writers

NOW = datetime(2030, 1, 1, tzinfo=UTC)
T = datetime(2030, 3, 2, 9, tzinfo=UTC)
RULES = BookingRules(max_ahead=timedelta(days=3650))

UowFactory = Callable[..., SqlAlchemyUnitOfWork]


def hours(h: float) -> datetime:
    return T + timedelta(hours=h)


async def seed(uow_factory: UowFactory) -> tuple[Room, User]:
    room = Room.create(name="Oak", building="Main", capacity=10, now=NOW, by=None)
    staff = User.register(
        email="sam@uni.example", full_name="Sam", password_hash="x", now=NOW, self_service=True
    )
    staff.role = Role.STAFF
    async with uow_factory() as uow:
        await uow.users.add(staff)
        await uow.rooms.add(room)
        await uow.commit()
    return room, staff


def booking(room: Room, user: User, start: float, end: float) -> Booking:
    return Booking.request(
        room_id=room.id,
        requester_id=user.id,
        slot=TimeSlot(hours(start), hours(end)),
        title="Seminar",
        attendees=2,
        needs_approval=False,
        now=NOW,
    )


def closure(room: Room, start: float, end: float, reason: str = "Renovation") -> Closure:
    return Closure.create(
        room_id=room.id, period=Period(hours(start), hours(end)), reason=reason, by=None, now=NOW
    )


async def store(uow_factory: UowFactory, *things: Booking | Closure) -> None:
    async with uow_factory() as uow:
        for thing in things:
            if isinstance(thing, Booking):
                await uow.bookings.add(thing)
            else:
                await uow.closures.add(thing)
        await uow.commit()


async def test_the_database_refuses_a_booking_into_a_closure(uow_factory: UowFactory) -> None:
    room, staff = await seed(uow_factory)
    await store(uow_factory, closure(room, 0, 24 * 14))

    for start, end in [(-1, 0.5), (5, 6), (24 * 14 - 1, 24 * 14 + 1)]:
        async with uow_factory() as uow:
            with pytest.raises(SlotTaken):  # the database itself: no check ran
                await uow.bookings.add(booking(room, staff, start, end))


async def test_the_database_refuses_a_closure_over_an_active_booking(
    uow_factory: UowFactory,
) -> None:
    room, staff = await seed(uow_factory)
    pending = booking(room, staff, 30, 31)
    pending.status = BookingStatus.PENDING
    await store(uow_factory, pending)

    async with uow_factory() as uow:
        with pytest.raises(BookingsInTheWay):
            await uow.closures.add(closure(room, 0, 24 * 7))


async def test_cancelled_bookings_touching_times_and_other_rooms_pass(
    uow_factory: UowFactory,
) -> None:
    room, staff = await seed(uow_factory)
    elm = Room.create(name="Elm", building="Main", capacity=10, now=NOW, by=None)
    async with uow_factory() as uow:
        await uow.rooms.add(elm)
        await uow.commit()
    cancelled = booking(room, staff, 5, 6)
    cancelled.cancel(by=staff.id, at=NOW)

    await store(
        uow_factory,
        cancelled,
        booking(room, staff, -1, 0),  # ends as the closure starts
        booking(elm, staff, 5, 6),
        closure(room, 0, 24),
        booking(room, staff, 24, 25),  # starts as it ends
    )


async def test_a_booking_cancelled_into_a_closure_may_not_come_back(
    uow_factory: UowFactory,
) -> None:
    room, staff = await seed(uow_factory)
    moved = booking(room, staff, 30, 31)
    await store(uow_factory, moved, closure(room, 0, 24))

    moved.slot = TimeSlot(hours(23), hours(25))
    async with uow_factory() as uow:
        with pytest.raises(SlotTaken):
            await uow.bookings.save(moved)


async def test_the_database_refuses_without_the_check_and_the_refusal_names_the_closure(
    uow_factory: UowFactory,
) -> None:
    room, staff = await seed(uow_factory)
    mine = booking(room, staff, 30, 31)
    await store(uow_factory, mine, closure(room, 0, 24, reason="Exams"))
    blind = blind_writers(uow_factory)
    clock = FixedClock(NOW)

    with pytest.raises(SlotTaken) as created:
        await CreateBooking(blind, clock, RULES)(
            staff,
            CreateBookingCommand(room_id=room.id, starts_at=hours(2), ends_at=hours(3), title="X"),
        )
    with pytest.raises(SlotTaken) as moved:
        await ChangeBooking(blind, clock, RULES)(
            staff, mine.id, ChangeBookingCommand(starts_at=hours(23), ends_at=hours(25))
        )

    for error in (created, moved):
        assert error.value.closures == [(hours(0), hours(24), "Exams")]
        assert isinstance(error.value.__cause__, SlotTaken)  # the database refused


async def test_the_database_refuses_a_closure_without_the_check_and_the_refusal_lists_them(
    uow_factory: UowFactory,
) -> None:
    room, staff = await seed(uow_factory)
    mine = booking(room, staff, 30, 31)
    await store(uow_factory, mine)
    command = CreateClosuresCommand(
        room_ids=[room.id], starts_at=hours(0), ends_at=hours(48), reason="Exams"
    )

    with pytest.raises(BookingsInTheWay) as error:
        await CreateClosures(blind_writers(uow_factory), FixedClock(NOW))(staff, command)

    assert error.value.bookings == [BookingInTheWay(mine.id, room.id, hours(30), hours(31))]
    assert isinstance(error.value.__cause__, BookingsInTheWay)
    async with uow_factory(read_only=True) as uow:
        assert await uow.closures.overlapping(room.id, mine.slot) == []


# --- PostgreSQL: the triggers' lock on the room queues writers that took none ---------------

WAITING_FOR_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)
QUEUE_SECONDS = 10


async def until_waiting(url: str) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + QUEUE_SECONDS
    try:
        async with engine.connect() as connection:
            while time.monotonic() < deadline:
                if await connection.scalar(WAITING_FOR_A_LOCK):
                    return
                await connection.rollback()  # a fresh snapshot each time
                await asyncio.sleep(0.05)
    finally:
        await engine.dispose()
    pytest.fail(f"the second writer did not wait for a lock within {QUEUE_SECONDS} s")


async def write_one(uow_factory: UowFactory, thing: Booking | Closure) -> None:
    await store(uow_factory, thing)


@pytest.mark.postgres
@pytest.mark.parametrize("first", ["closure", "booking"])
async def test_concurrent_writers_without_locks_of_their_own_cannot_both_commit(
    postgres_url: str, first: str
) -> None:
    """Under READ COMMITTED, neither write would see the other's uncommitted row; the triggers
    make the second wait on the room's row until the first commits, then look again."""
    engine = create_engine(postgres_url)
    uow_factory = partial(SqlAlchemyUnitOfWork, engine)
    try:
        room, staff = await seed(uow_factory)
        things: list[Booking | Closure] = [closure(room, 0, 24), booking(room, staff, 5, 6)]
        if first == "booking":
            things.reverse()
        async with uow_factory() as uow:
            head = things[0]
            if isinstance(head, Booking):
                await uow.bookings.add(head)
            else:
                await uow.closures.add(head)
            second = asyncio.create_task(write_one(uow_factory, things[1]))
            await until_waiting(postgres_url)
            await uow.commit()

        expected = BookingsInTheWay if first == "booking" else SlotTaken
        with pytest.raises(expected):
            await second
    finally:
        await engine.dispose()
