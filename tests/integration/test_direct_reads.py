"""Direct reads: the same rows, in the same Python types, as the repositories' statements give
through SQLAlchemy, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.database.direct_reads import DirectReader
from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.repositories import SqlAccountLookup
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.queries import BookingFilter, PageRequest
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import Unavailable
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2026, 12, 7, 9, tzinfo=UTC)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


async def a_stored_user(engine: AsyncEngine, **changes: object) -> User:
    user = User(
        email=f"{uuid4().hex[:8]}@uni.example",
        full_name="Ana Lima",
        role=Role.STAFF,
        password_hash="hash",
        created_at=datetime(2026, 12, 7, 9, 30, 15, 123456, tzinfo=UTC),
        **changes,  # type: ignore[arg-type]
    )
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


@pytest.mark.parametrize("is_active", [True, False])
async def test_an_account_reads_as_the_repository_reads_it(
    engine: AsyncEngine, is_active: bool
) -> None:
    stored = await a_stored_user(engine, is_active=is_active, token_version=3)
    async with SqlAlchemyUnitOfWork(engine, read_only=True) as uow:
        through_sqlalchemy = await uow.users.get(stored.id)

    direct = await SqlAccountLookup(DirectReader(engine))(stored.id)

    assert direct is not None
    assert through_sqlalchemy is not None
    for field in ("id", "email", "full_name", "role", "password_hash", "token_version"):
        assert getattr(direct, field) == getattr(through_sqlalchemy, field), field
    assert type(direct.id) is type(through_sqlalchemy.id)
    assert direct.is_active is is_active  # a bool, not SQLite's 0 or 1
    assert direct.created_at == stored.created_at
    assert direct.created_at.tzinfo is not None


async def test_an_unknown_account_is_none(engine: AsyncEngine) -> None:
    assert await SqlAccountLookup(DirectReader(engine))(uuid4()) is None


async def test_observers_see_each_statement(engine: AsyncEngine) -> None:
    reads = DirectReader(engine)
    seen: list[str] = []
    reads.observers.append(seen.append)

    await SqlAccountLookup(reads)(uuid4())

    assert len(seen) == 1
    assert seen[0].startswith("SELECT users.id")


async def test_an_unreachable_database_is_unavailable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:9/none")
    try:
        with pytest.raises(Unavailable):
            await SqlAccountLookup(DirectReader(engine))(uuid4())
    finally:
        await engine.dispose()


async def test_a_busy_sqlite_read_waits_off_the_event_loop(sqlite_url: str) -> None:
    """As every reader's statement does (test_sqlite_driver.py): the loop goes on meanwhile."""
    engine = create_engine(sqlite_url, lock_timeout_seconds=5)
    stored = await a_stored_user(engine)
    await engine.dispose()  # its connections would keep the file open in WAL mode
    holder = sqlite3.connect(str(make_url(sqlite_url).database), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("SELECT count(*) FROM users").fetchall()  # takes the lock, and keeps it
    engine = create_engine(sqlite_url, lock_timeout_seconds=5)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    asyncio.get_running_loop().call_later(0.3, holder.close)
    started = time.monotonic()
    try:
        found = await SqlAccountLookup(DirectReader(engine))(stored.id)
    finally:
        ticker.cancel()
        holder.close()
        await engine.dispose()

    assert found is not None
    assert found.id == stored.id
    assert time.monotonic() - started >= 0.3
    assert ticks >= 10


async def test_a_list_parameter_beside_others_is_bound_with_each_ones_type(
    engine: AsyncEngine,
) -> None:
    """`status IN (…)` expands per call; the UUID and instant beside it still go through
    their columns' processors (SQLite takes no UUID object)."""
    requester = await a_stored_user(engine)
    room = Room.create(name=f"Oak {uuid4().hex[:6]}", building="Main", capacity=4, now=NOW, by=None)
    booking = Booking.request(
        room_id=room.id,
        requester_id=requester.id,
        slot=TimeSlot(NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1)),
        title="Study",
        attendees=1,
        needs_approval=True,
        now=NOW,
    )
    async with SqlAlchemyUnitOfWork(engine) as uow:
        await uow.rooms.add(room)
        await uow.bookings.add(booking)
        await uow.commit()
    wanted = BookingFilter(
        requester_id=requester.id,
        room_id=room.id,
        statuses=frozenset({BookingStatus.PENDING, BookingStatus.APPROVED}),
        ends_after=NOW,
    )

    async with SqlAlchemyUnitOfWork(engine, read_only=True) as uow:
        found = await uow.bookings.search(wanted, PageRequest())
        none = await uow.bookings.search(
            replace(wanted, statuses=frozenset({BookingStatus.CANCELLED})), PageRequest()
        )

    assert [item.id for item in found.items] == [booking.id]
    assert found.total == 1
    assert none.items == []
