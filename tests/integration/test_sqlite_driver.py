"""The SQLite driver adapter: one trip to aiosqlite's thread per statement, same results."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import aiosqlite
import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.database.engine import create_engine
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
    }


async def test_a_query_is_one_trip_and_returns_every_row(
    engine: AsyncEngine, trips: list[str]
) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(rooms), [a_room(f"Room {n}") for n in range(3)])

    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the transaction's BEGIN, out of the way
        trips.clear()
        result = await connection.execute(select(rooms.c.name).order_by(rooms.c.name))
        names = result.scalars().all()
        during_query = list(trips)

    assert names == ["Room 0", "Room 1", "Room 2"]
    assert during_query == ["_run"]  # aiosqlite's own cursor took four trips


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
