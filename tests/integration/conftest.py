"""Integration fixtures: a unit-of-work factory on the parametrised test database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork

UowFactory = Callable[..., SqlAlchemyUnitOfWork]


@pytest.fixture
async def uow_factory(database_url: str) -> AsyncIterator[UowFactory]:
    engine = create_engine(database_url)

    def factory(**options: Any) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(engine, **options)

    yield factory
    await engine.dispose()
