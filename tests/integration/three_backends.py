"""Fixtures of the repository tests that run on SQLite, PostgreSQL and the memory fakes.

The use-case tests run on the fakes, so the behaviour a repository promises is checked on all
three; what only a database has (constraints, statements per call, row locks) on the databases
alone. A module takes the fixtures by name (`uow_factory = three_backends.uow_factory`), so
that pytest finds them there, and the builders as plain functions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)

UowFactory = Callable[..., UnitOfWork]


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres), "memory"])
def backend(request: pytest.FixtureRequest) -> str:
    """A database's URL (resolved in a plain fixture: setting one up runs an event loop of its
    own), or "memory": the fakes the use-case tests run on."""
    if request.param == "memory":
        return "memory"
    return str(
        request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "postgres_url")
    )


@pytest.fixture
async def uow_factory(backend: str) -> AsyncIterator[UowFactory]:
    if backend == "memory":
        yield partial(MemoryUnitOfWork, MemoryStore())
        return
    engine = create_engine(backend)
    yield partial(SqlAlchemyUnitOfWork, engine)
    await engine.dispose()


@pytest.fixture
def sql_uow_factory(engine: AsyncEngine) -> UowFactory:
    return partial(SqlAlchemyUnitOfWork, engine)


@contextmanager
def counting_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL of each statement sent: an executemany is one."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def a_user(email: str = "ana@uni.example") -> User:
    return User(
        email=email,
        full_name="Ana Lima",
        role=Role.STAFF,
        password_hash="$2b$04$hash",
        created_at=NOW - timedelta(days=30),
    )


def a_room(name: str = "Oak") -> Room:
    return Room.create(name=name, building="Main", capacity=30, now=NOW, by=None)
