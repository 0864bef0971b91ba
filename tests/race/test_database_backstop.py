"""Requests queued behind a booking that is rolled back get one booking and 409s, never a 500.

On PostgreSQL a write that clashes with a booking still in flight waits for that transaction.
If the transaction rolls back instead of committing (a request that failed after its write),
the writers queued behind it wake up, find each other's rows in flight and wait for each other.
PostgreSQL breaks such a cycle by aborting one of them with "deadlock detected" (40P01). Those
writers lost the slot like any other, so they must get the same `SlotTaken` (the friendly 409
with `conflicts`), not a raw database error (a 500).

SQLite cannot get here: its write transactions begin IMMEDIATE and run one at a time.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.clock import SystemClock
from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.bookings import CreateBooking, CreateBookingCommand
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking
from campus_booking.domain.errors import SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User
from tests.race.conftest import bookings_of_room, overlapping_active_bookings

WRITERS = 4
QUEUE_SECONDS = 10
# A week ahead, within the campus limit on how far ahead one may book.
NINE = (datetime.now(UTC) + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)
WAITING_FOR_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


@pytest.fixture
async def engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


async def seed(engine: AsyncEngine, students: int) -> tuple[Room, list[User]]:
    now = datetime.now(UTC)
    room = Room.create(name="Seminar Room", building="Main", capacity=50, now=now, by=None)
    users = [
        User.register(
            email=f"writer{number}@uni.example",
            full_name="A Writer",
            password_hash="not-used-here",
            now=now,
            self_service=True,
        )
        for number in range(students)
    ]
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.rooms.add(room)
        for user in users:
            await uow.users.add(user)
        await uow.commit()
    return room, users


async def until_queued(engine: AsyncEngine, writers: list[asyncio.Task[str]]) -> None:
    """Until every writer waits for a lock or has finished; fails after `QUEUE_SECONDS`."""
    deadline = time.monotonic() + QUEUE_SECONDS
    async with engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = await connection.scalar(WAITING_FOR_A_LOCK)
            await connection.rollback()  # a fresh snapshot of pg_stat_activity each time
            if waiting + sum(writer.done() for writer in writers) >= len(writers):
                return
            await asyncio.sleep(0.05)
    pytest.fail(f"the writers did not queue within {QUEUE_SECONDS} s")


async def outcome(booking: asyncio.Task[str]) -> str:
    try:
        await booking
    except SlotTaken as error:
        return "SlotTaken" if error.conflicts else "SlotTaken without conflicts"
    except Exception as error:  # over HTTP: a 500
        return f"{type(error).__name__}: {str(error).splitlines()[0]}"
    return "booked"


@pytest.mark.postgres
async def test_writers_queued_behind_a_rolled_back_booking_get_one_booking_and_slot_taken(
    engine: AsyncEngine, postgres_url: str
) -> None:
    room, students = await seed(engine, WRITERS + 1)
    create_booking = CreateBooking(
        uow=partial(SqlAlchemyUnitOfWork, engine),
        clock=SystemClock(),
        rules=BookingRules(),
    )

    def command(minutes: int) -> CreateBookingCommand:
        start = NINE + timedelta(minutes=minutes)  # all overlap, none identical
        return CreateBookingCommand(
            room_id=room.id, starts_at=start, ends_at=start + timedelta(hours=1), title="Exam"
        )

    async with SqlAlchemyUnitOfWork(engine) as in_flight:
        await in_flight.bookings.add(
            Booking.request(
                room_id=room.id,
                requester_id=students[0].id,
                slot=TimeSlot(NINE, NINE + timedelta(hours=1)),
                title="Rolled back",
                attendees=1,
                needs_approval=False,
                now=datetime.now(UTC),
            )
        )
        writers = [
            asyncio.create_task(create_booking(student, command(number + 1)))
            for number, student in enumerate(students[1:])
        ]
        await until_queued(engine, writers)
    # Left without a commit: the in-flight booking is rolled back.

    outcomes = [await outcome(writer) for writer in writers]

    assert Counter(outcomes) == {"booked": 1, "SlotTaken": WRITERS - 1}, outcomes
    assert await overlapping_active_bookings(postgres_url, str(room.id)) == []
    assert len(await bookings_of_room(postgres_url, str(room.id))) == 1
