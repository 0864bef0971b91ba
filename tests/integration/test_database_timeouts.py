"""No statement waits without a bound: the engine sets lock and statement timeouts on every
connection, and running out of either is "cannot serve right now" (503), not a 500."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from campus_booking.adapters.database.engine import create_engine, reader
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.domain.errors import Unavailable
from campus_booking.domain.rooms import Room


@pytest.mark.postgres
async def test_every_connection_carries_the_lock_and_statement_timeouts(postgres_url: str) -> None:
    engine = create_engine(postgres_url, lock_timeout_seconds=1.5, statement_timeout_seconds=4)
    try:
        for chosen in (engine, reader(engine)):
            async with chosen.connect() as connection:
                shown = [
                    (await connection.exec_driver_sql(f"SHOW {name}")).scalar_one()
                    for name in ("lock_timeout", "statement_timeout")
                ]
            assert shown == ["1500ms", "4s"]
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_statement_that_runs_too_long_is_unavailable(postgres_url: str) -> None:
    engine = create_engine(postgres_url, lock_timeout_seconds=0.1, statement_timeout_seconds=0.2)
    try:
        for read_only in (False, True):
            with pytest.raises(Unavailable) as raised:
                async with SqlAlchemyUnitOfWork(engine, read_only=read_only) as uow:
                    await uow._connection.execute(select(func.pg_sleep(2)))
            # Through SQLAlchemy the driver's error is wrapped; a direct read raises it as is.
            cause = raised.value.__cause__
            assert getattr(getattr(cause, "orig", cause), "sqlstate", None) == "57014"
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_lock_held_too_long_is_unavailable_and_the_holder_is_unharmed(
    postgres_url: str,
) -> None:
    engine = create_engine(postgres_url, lock_timeout_seconds=0.2, statement_timeout_seconds=5)
    room = Room.create(
        name="Oak", building="Main", capacity=4, now=datetime(2026, 1, 5, tzinfo=UTC), by=None
    )
    try:
        async with SqlAlchemyUnitOfWork(engine) as setup:
            await setup.rooms.add(room)
            await setup.commit()
        async with SqlAlchemyUnitOfWork(engine) as holder:
            assert await holder.rooms.get(room.id, lock=True) is not None
            with pytest.raises(Unavailable) as raised:
                async with SqlAlchemyUnitOfWork(engine) as waiter:
                    await waiter.rooms.get(room.id, lock=True)
            assert getattr(raised.value.__cause__.orig, "sqlstate", None) == "55P03"  # type: ignore[union-attr]
            room.update(capacity=6, by=None, at=datetime(2026, 1, 5, tzinfo=UTC))
            await holder.rooms.save(room)
            await holder.commit()
        async with SqlAlchemyUnitOfWork(engine, read_only=True) as check:
            stored = await check.rooms.get(room.id)
        assert stored is not None
        assert stored.capacity == 6
    finally:
        await engine.dispose()


async def test_sqlite_writers_of_one_process_queue_for_the_write_connection(
    sqlite_url: str,
) -> None:
    """A writer waits its turn for the one write connection, is handed it when the holder
    commits, and gives up after the lock timeout (503) if the holder keeps it."""
    engine = create_engine(sqlite_url, lock_timeout_seconds=0.25)
    now = datetime(2026, 1, 5, tzinfo=UTC)
    first, second = (
        Room.create(name=name, building="Main", capacity=4, now=now, by=None)
        for name in ("Oak", "Elm")
    )

    async def add(room: Room) -> None:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.rooms.add(room)
            await uow.commit()

    try:
        async with SqlAlchemyUnitOfWork(engine) as holder:
            await holder.rooms.add(first)
            with pytest.raises(Unavailable):  # the holder outlasts the lock timeout
                await add(second)
            waiter = asyncio.create_task(add(second))
            await asyncio.sleep(0.05)
            assert not waiter.done()  # queued behind the holder, not writing beside it,
            # and for the pool's one connection, not on a second one in SQLite's busy handler
            assert engine.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
            await holder.commit()
        await waiter  # handed the connection once the holder was done
        async with SqlAlchemyUnitOfWork(engine, read_only=True) as check:
            assert await check.rooms.get(first.id) is not None
            assert await check.rooms.get(second.id) is not None
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_a_deadlock_is_unavailable_for_the_victim_and_the_other_commits(
    postgres_url: str,
) -> None:
    """Writers lock in one order (see the `UnitOfWork` port), so none should deadlock; if two
    ever do, PostgreSQL aborts one, and that one answers 503 rather than 500."""
    engine = create_engine(postgres_url, lock_timeout_seconds=5, statement_timeout_seconds=10)
    now = datetime(2026, 1, 5, tzinfo=UTC)
    oak, elm = (
        Room.create(name=n, building="Main", capacity=4, now=now, by=None) for n in ("Oak", "Elm")
    )
    both_hold_one = asyncio.Barrier(2)

    async def lock(first: Room, then: Room) -> None:
        async with SqlAlchemyUnitOfWork(engine) as uow:
            await uow.rooms.get(first.id, lock=True)
            await both_hold_one.wait()
            await uow.rooms.get(then.id, lock=True)
            await uow.commit()

    try:
        async with SqlAlchemyUnitOfWork(engine) as setup:
            await setup.rooms.add(oak)
            await setup.rooms.add(elm)
            await setup.commit()
        outcomes = await asyncio.gather(lock(oak, elm), lock(elm, oak), return_exceptions=True)
    finally:
        await engine.dispose()

    refused = [outcome for outcome in outcomes if outcome is not None]
    assert len(refused) == 1, outcomes
    assert isinstance(refused[0], Unavailable), refused
    assert getattr(refused[0].__cause__.orig, "sqlstate", None) == "40P01"  # type: ignore[union-attr]
