"""Shared fixtures: databases (SQLite always, PostgreSQL when reachable), containers and clients.

PostgreSQL tests run against `CAMPUS_BOOKING_TEST_POSTGRES_URL`, Redis tests against
`CAMPUS_BOOKING_TEST_REDIS_URL`; unset, each falls back to the server's usual local address
(`DEFAULT_POSTGRES_URL`, `DEFAULT_REDIS_URL`). When no server answers there they skip and say
why; in CI (`CI=true`) they fail instead, so a green CI run always means both were tested.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from hypothesis import settings as hypothesis_settings
from litestar.testing import AsyncTestClient
from redis import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.migrations import upgrade
from campus_booking.container import Container
from campus_booking.main import app_on
from campus_booking.settings import Settings

POSTGRES_URL_VARIABLE = "CAMPUS_BOOKING_TEST_POSTGRES_URL"
REDIS_URL_VARIABLE = "CAMPUS_BOOKING_TEST_REDIS_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
CONNECT_SECONDS = 2
TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"
TABLES = (
    "idempotency_keys",
    "calendar_feeds",
    "audit_log",
    "bookings",
    "booking_series",
    "closures",
    "room_features",
    "rooms",
    "users",
)

hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def test_settings(database_url: str) -> Settings:
    """Settings for tests: the cheapest bcrypt cost, a fixed secret, the given database, and
    room for every sign-up a test makes from its one address (tests of that limit set it)."""
    return Settings(
        database_url=database_url,
        jwt_secret=TEST_SECRET,
        bcrypt_rounds=4,
        registrations_per_client=1000,
    )


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once per session; each test gets its own copy of the file."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "campus_booking.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


# --- PostgreSQL ---------------------------------------------------------------------------


async def _execute(url: str, *statements: str, autocommit: bool = False) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT" if autocommit else None)
    try:
        async with engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _unavailable(reason: str, service: str = "PostgreSQL") -> None:
    if in_ci():
        pytest.fail(f"{service} tests must run in CI: {reason}")
    pytest.skip(reason)


def server_url(variable: str, default: str) -> tuple[str, str]:
    """The URL to test against, and where it came from (for a skip's reason)."""
    url = os.environ.get(variable)
    if url:
        return url, variable
    return default, f"the default {default} ({variable} is not set)"


async def _answers(url: str) -> None:
    engine = create_async_engine(url, connect_args={"timeout": CONNECT_SECONDS})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def postgres_unreachable(url: str, source: str) -> str | None:
    """Why no PostgreSQL can be tested at `url`, or None when one answers."""
    try:
        asyncio.run(_answers(url))
    except Exception as error:  # any failure to connect means: no server to test against
        return f"no PostgreSQL answers at {source}: {error}"
    return None


def redis_unreachable(url: str, source: str) -> str | None:
    """Why no Redis can be tested at `url`, or None when one answers."""
    try:
        with Redis.from_url(url, socket_connect_timeout=CONNECT_SECONDS) as client:
            client.ping()
    except Exception as error:  # any failure to connect means: no server to test against
        return f"no Redis answers at {source}: {error}"
    return None


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    url, source = server_url(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL)
    reason = postgres_unreachable(url, source)
    if reason:
        _unavailable(reason)
    return url


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url: str) -> Iterator[str]:
    """A database of our own on the server, made and migrated once per session, then dropped."""
    name = f"campus_booking_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(postgres_server_url, f'CREATE DATABASE "{name}"', autocommit=True))
    url = make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(
            _execute(postgres_server_url, f'DROP DATABASE "{name}" WITH (FORCE)', autocommit=True)
        )


@pytest.fixture
def postgres_url(postgres_database: str) -> Iterator[str]:
    yield postgres_database
    asyncio.run(_execute(postgres_database, f"TRUNCATE {', '.join(TABLES)} CASCADE"))


@pytest.fixture
def fresh_postgres_url(postgres_server_url: str) -> Iterator[str]:
    """An empty database, for tests of the migrations themselves."""
    name = f"campus_booking_migrations_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(postgres_server_url, f'CREATE DATABASE "{name}"', autocommit=True))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(
            _execute(postgres_server_url, f'DROP DATABASE "{name}" WITH (FORCE)', autocommit=True)
        )


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


# --- Redis -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis server named by `CAMPUS_BOOKING_TEST_REDIS_URL`, else the local one; skips
    (fails in CI) when none answers."""
    url, source = server_url(REDIS_URL_VARIABLE, DEFAULT_REDIS_URL)
    reason = redis_unreachable(url, source)
    if reason:
        _unavailable(reason, "Redis")
    return url


# --- The application ----------------------------------------------------------------------


@pytest.fixture
def container(sqlite_url: str) -> Iterator[Container]:
    """The real container on a fresh SQLite database; override providers to swap adapters."""
    container = Container()
    container.settings.override(providers.Object(test_settings(sqlite_url)))
    yield container
    container.reset_override()


@pytest.fixture
async def client(container: Container) -> AsyncIterator[AsyncTestClient]:  # type: ignore[type-arg]
    async with AsyncTestClient(app=app_on(container)) as test_client:
        yield test_client
