"""Fixtures of the resource tests that run once on SQLite and once on PostgreSQL.

A module takes them by name (`container = both_databases.container`), so that pytest finds
them there; a module with settings of its own defines its own `container` and takes `client`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from dependency_injector import providers

from campus_booking.adapters.http.app import create_app
from campus_booking.container import Container
from tests.conftest import test_settings as settings_for


@pytest.fixture
def container(database_url: str) -> Iterator[Container]:
    container = Container()
    container.settings.override(providers.Object(settings_for(database_url)))
    yield container
    container.reset_override()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the test's own event loop (httpx's ASGI transport): the tests also reach the
    database directly through the container, and an asyncpg connection serves one loop only."""
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await container.engine().dispose()
