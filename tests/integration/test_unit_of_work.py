"""The SQLAlchemy unit of work: one transaction per use, and SQLite set up for many writers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import UUID

import pytest

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.domain.users import User

UowFactory = Callable[..., SqlAlchemyUnitOfWork]
WRITERS = 10


def a_user(email: str = "ana@uni.edu") -> User:
    return User(
        email=email,
        full_name="Ana Lima",
        password_hash="$2b$04$hash",
        created_at=datetime(2026, 1, 5, 8, 30, tzinfo=UTC),
    )


async def stored_user(uow_factory: UowFactory, user_id: UUID) -> User | None:
    async with uow_factory(read_only=True) as uow:
        return await uow.users.get(user_id)


async def test_exception_inside_the_block_rolls_back(uow_factory: UowFactory) -> None:
    user = a_user()

    async def add_then_fail() -> None:
        async with uow_factory() as uow:
            await uow.users.add(user)
            assert await uow.users.get(user.id) is not None  # visible inside the transaction
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await add_then_fail()

    assert await stored_user(uow_factory, user.id) is None


async def test_leaving_without_commit_rolls_back(uow_factory: UowFactory) -> None:
    user = a_user()

    async with uow_factory() as uow:
        await uow.users.add(user)
        assert await uow.users.get(user.id) is not None  # visible inside the transaction

    assert await stored_user(uow_factory, user.id) is None


async def test_commit_persists(uow_factory: UowFactory) -> None:
    user = a_user()

    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()

    stored = await stored_user(uow_factory, user.id)
    assert stored is not None
    assert stored.email == "ana@uni.edu"


async def test_read_only_unit_of_work_reads_and_refuses_to_commit(
    uow_factory: UowFactory,
) -> None:
    user = a_user()
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        stored = await uow.users.get(user.id)
        with pytest.raises(RuntimeError, match="read-only unit of work cannot commit"):
            await uow.commit()

    assert stored is not None
    assert stored.email == "ana@uni.edu"


# --- SQLite only --------------------------------------------------------------------------


@asynccontextmanager
async def separate_uow_factory(url: str) -> AsyncIterator[UowFactory]:
    """A factory on an engine of its own: its own connection, so locks are really contended."""
    engine = create_engine(url)
    try:
        yield lambda **options: SqlAlchemyUnitOfWork(engine, **options)
    finally:
        await engine.dispose()


async def test_sqlite_pragmas_are_in_force_on_app_connections(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        await engine.dispose()

    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        # None on the loop, where the statements run: one that finds the database busy waits
        # the lock timeout in the thread (test_sqlite_driver.py).
        "busy_timeout": 0,
        "synchronous": 1,
    }


async def test_sqlite_concurrent_read_modify_write_loses_no_update(sqlite_url: str) -> None:
    user = a_user()
    async with separate_uow_factory(sqlite_url) as factory, factory() as uow:
        await uow.users.add(user)
        await uow.commit()

    async def increment() -> None:
        async with separate_uow_factory(sqlite_url) as factory, factory() as uow:
            loaded = await uow.users.get(user.id)
            assert loaded is not None
            await asyncio.sleep(0)  # let the other writers run between the read and the write
            loaded.token_version += 1
            await uow.users.save(loaded)
            await uow.commit()

    results = await asyncio.gather(*(increment() for _ in range(WRITERS)), return_exceptions=True)

    assert results == [None] * WRITERS
    async with separate_uow_factory(sqlite_url) as factory:
        stored = await stored_user(factory, user.id)
    assert stored is not None
    assert stored.token_version == WRITERS


async def test_sqlite_read_only_unit_of_work_reads_while_a_writer_holds_the_lock(
    sqlite_url: str,
) -> None:
    committed, pending = a_user("committed@uni.edu"), a_user("pending@uni.edu")
    async with (
        separate_uow_factory(sqlite_url) as writers,
        separate_uow_factory(sqlite_url) as readers,
    ):
        async with writers() as uow:
            await uow.users.add(committed)
            await uow.commit()

        async with writers() as writer:
            await writer.users.add(pending)  # holds the write lock until the block ends
            async with readers(read_only=True) as reader:
                seen_committed = await reader.users.get(committed.id)
                seen_pending = await reader.users.get(pending.id)

    assert seen_committed is not None
    assert seen_committed.email == "committed@uni.edu"
    assert seen_pending is None
