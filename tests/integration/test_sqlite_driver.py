"""The SQLite driver adapters: statements run on the event loop, with no trip to aiosqlite's
thread unless the database is busy (a writer's COMMIT makes one), same results."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aiosqlite
import pytest
from sqlalchemy import insert, make_url, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.database.engine import create_engine, reader
from campus_booking.adapters.database.tables import rooms

NOW = datetime(2030, 1, 1, tzinfo=UTC)


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sqlite_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the functions run in aiosqlite's thread, in order."""
    made: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return made


def a_room(name: str, capacity: int = 10) -> dict[str, Any]:
    return {
        "id": uuid4(),
        "name": name,
        "building": "Main",
        "capacity": capacity,
        "requires_approval": False,
        "is_active": True,
        "created_at": NOW,
        "time_zone": "UTC",
    }


async def test_a_writers_statements_run_on_the_loop_and_its_commit_in_the_thread(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the connection's setup, out of the way
        await connection.rollback()
        trips.clear()
        await connection.begin()  # BEGIN IMMEDIATE
        await connection.execute(insert(rooms), [a_room(f"Room {n}") for n in range(3)])
        result = await connection.execute(select(rooms.c.name).order_by(rooms.c.name))
        names = result.scalars().all()
        before_commit = list(trips)
        await connection.commit()

    assert names == ["Room 0", "Room 1", "Room 2"]
    assert before_commit == []  # BEGIN, INSERT and SELECT ran on the loop
    assert trips == ["commit"]  # COMMIT writes the log, in the thread


async def test_a_connection_with_no_open_transaction_goes_back_to_the_pool_without_a_trip(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(rooms), a_room("Lab"))
        trips.clear()
    after_commit = list(trips)

    async with engine.connect() as connection:
        await connection.execute(insert(rooms), a_room("Studio"))
        trips.clear()
    after_abandoned_write = list(trips)

    async with engine.connect() as connection:
        names = (await connection.execute(select(rooms.c.name))).scalars().all()

    assert after_commit == ["commit"]  # the pool's rollback found nothing to undo
    assert after_abandoned_write == ["rollback"]
    assert names == ["Lab"]


async def test_rows_can_be_fetched_a_few_at_a_time(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(rooms), [a_room(f"Room {n}") for n in range(5)])
        result = await connection.execute(select(rooms.c.name).order_by(rooms.c.name))

        batches = [result.fetchmany(2), result.fetchmany(), result.fetchmany(5)]

    assert [[row.name for row in batch] for batch in batches] == [
        ["Room 0", "Room 1"],
        ["Room 2"],
        ["Room 3", "Room 4"],
    ]


async def test_row_counts_of_writes_are_reported(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        added = await connection.execute(insert(rooms), [a_room(f"Room {n}") for n in range(4)])
        changed = await connection.execute(
            update(rooms).where(rooms.c.name.in_(["Room 1", "Room 2"])).values(capacity=99)
        )
        unchanged = await connection.execute(
            update(rooms).where(rooms.c.name == "No such room").values(capacity=1)
        )

    assert added.rowcount == 4
    assert changed.rowcount == 2
    assert unchanged.rowcount == 0


async def test_a_refused_write_raises_the_drivers_error_and_leaves_nothing(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(rooms), a_room("Lab"))

    async with engine.connect() as connection:
        await connection.execute(insert(rooms), a_room("Second", capacity=5))
        with pytest.raises(IntegrityError) as raised:
            await connection.execute(insert(rooms), a_room("lab"))  # the same name, any case
        await connection.rollback()

    assert "UNIQUE constraint failed" in str(raised.value.orig)
    async with engine.connect() as connection:
        names = (await connection.execute(select(rooms.c.name))).scalars().all()
    assert names == ["Lab"]


async def test_a_statement_without_rows_has_no_description(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        result = await connection.execute(text("PRAGMA foreign_keys=ON"))

        assert not result.returns_rows


async def test_a_reader_runs_its_statements_on_the_event_loop(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(rooms), [a_room(f"Room {n}") for n in range(3)])
    async with reader(engine).connect() as connection:
        await connection.execute(text("SELECT 1"))  # the connection's setup, out of the way
        trips.clear()
        names = (await connection.execute(select(rooms.c.name).order_by(rooms.c.name))).all()
        count = await connection.scalar(select(rooms.c.id).where(rooms.c.name == "None"))
        during_queries = list(trips)

    assert [name for (name,) in names] == ["Room 0", "Room 1", "Room 2"]
    assert count is None
    assert during_queries == []


@pytest.mark.parametrize(("lock_timeout", "released_after"), [(5, 0.3), (0.25, None)])
async def test_a_writer_waits_for_the_write_lock_of_another_process_off_the_event_loop(
    sqlite_url: str, lock_timeout: float, released_after: float | None
) -> None:
    """Its BEGIN IMMEDIATE, run on the loop, finds the database busy and waits in the thread:
    until the other writer is done, or for the lock timeout and then gives up."""
    holder = sqlite3.connect(str(make_url(sqlite_url).database), isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")  # as the service's other processes have it
    holder.execute("BEGIN IMMEDIATE")
    engine = create_engine(sqlite_url, lock_timeout_seconds=lock_timeout)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def write() -> None:
        async with engine.begin() as connection:
            await connection.execute(insert(rooms), [a_room("Oak")])

    ticker = asyncio.create_task(tick())
    if released_after is not None:
        asyncio.get_running_loop().call_later(released_after, holder.rollback)
    started = time.monotonic()
    try:
        if released_after is None:
            with pytest.raises(OperationalError, match="database is locked"):
                await write()
        else:
            await write()
        waited = time.monotonic() - started
    finally:
        ticker.cancel()
        holder.close()
        await engine.dispose()

    assert waited >= (released_after or lock_timeout)  # it waited for the lock
    assert ticks >= 10  # and the loop went on while it waited


async def test_a_read_that_finds_the_database_locked_waits_for_it_off_the_event_loop(
    sqlite_url: str,
) -> None:
    """An exclusive lock held elsewhere makes a WAL read busy; the loop goes on meanwhile."""
    holder = sqlite3.connect(str(make_url(sqlite_url).database), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("SELECT count(*) FROM rooms").fetchall()  # takes the lock, and keeps it
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
        async with reader(engine).connect() as connection:
            names = (await connection.execute(select(rooms.c.name))).all()
    finally:
        ticker.cancel()
        holder.close()
        await engine.dispose()

    assert names == []
    assert time.monotonic() - started >= 0.3  # it waited for the lock
    assert ticks >= 10  # and the loop went on while it waited
