"""The Alembic revisions: up, down and up again, and in step with the tables in code.

`upgrade()` and `downgrade()` run their own event loop, so these tests are synchronous and
use `asyncio.run` for their async checks.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.migrations import alembic_config, downgrade, upgrade
from campus_booking.adapters.database.probe import SqlDatabaseProbe
from campus_booking.adapters.database.tables import metadata, rooms, users

APP_TABLES = {
    "audit_log",
    "booking_policies",
    "booking_series",
    "bookings",
    "calendar_feeds",
    "closures",
    "idempotency_keys",
    "opening_hours",
    "room_features",
    "rooms",
    "users",
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    return str(request.getfixturevalue("fresh_postgres_url"))


async def _with_connection(url: str, check: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(check)
    finally:
        await engine.dispose()


def table_names(url: str) -> set[str]:
    return set(asyncio.run(_with_connection(url, lambda sync: inspect(sync).get_table_names())))


def schema_diff(url: str) -> list[Any]:
    def compare(sync: Connection) -> list[Any]:
        return list(compare_metadata(MigrationContext.configure(sync), metadata))

    return list(asyncio.run(_with_connection(url, compare)))


def test_upgrade_downgrade_upgrade(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    assert table_names(empty_database_url) == APP_TABLES | {"alembic_version"}

    downgrade(empty_database_url)
    assert table_names(empty_database_url) == {"alembic_version"}

    upgrade(empty_database_url)
    assert table_names(empty_database_url) == APP_TABLES | {"alembic_version"}


# SQLite cannot reflect the expression index on lower(name), so autogenerate skips it there;
# test_room_name_in_another_letter_case_is_a_conflict shows the migrated index does its job.
@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_migrations_match_the_tables_in_code(empty_database_url: str) -> None:
    upgrade(empty_database_url)

    assert schema_diff(empty_database_url) == []


@pytest.mark.filterwarnings("ignore:.*expression-based index")
def test_each_revision_downgrades_to_what_it_upgrades_again(empty_database_url: str) -> None:
    """Taken back one revision at a time, then up again to the head each time: a downgrade that
    left a table, an index or a column behind (or dropped one of an earlier revision) shows as
    a failed upgrade or a difference from the tables in code."""
    revisions = ScriptDirectory.from_config(alembic_config(empty_database_url))
    count = len(list(revisions.walk_revisions()))
    upgrade(empty_database_url)
    for steps in range(1, count + 1):
        downgrade(empty_database_url, f"-{steps}")
        upgrade(empty_database_url)
        assert schema_diff(empty_database_url) == [], f"after going back {steps} revisions"


# --- The readiness probe ------------------------------------------------------------------


async def ping(url: str) -> bool:
    engine = create_engine(url)
    try:
        return await SqlDatabaseProbe(engine).ping()
    finally:
        await engine.dispose()


async def test_probe_answers_true_on_a_good_database(database_url: str) -> None:
    assert await ping(database_url) is True


async def test_probe_answers_false_when_postgresql_is_unreachable() -> None:
    assert await ping("postgresql+asyncpg://postgres@127.0.0.1:1/none") is False


async def test_probe_answers_false_when_the_sqlite_directory_is_missing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'campus_booking.db'}"
    threads_before = set(threading.enumerate())

    assert await ping(url) is False

    # After a failed connect aiosqlite stops its worker thread without waiting for it; let the
    # thread finish while this test's event loop is still open to hear from it.
    for thread in set(threading.enumerate()) - threads_before:
        thread.join()


async def test_probe_answers_true_while_a_writer_holds_sqlite(sqlite_url: str) -> None:
    """A probe is a reader: it must not queue behind the write lock and time out."""
    writer_engine = create_engine(sqlite_url)
    probe_engine = create_engine(sqlite_url)
    try:
        async with writer_engine.begin() as writer:  # BEGIN IMMEDIATE: holds the write lock
            await writer.execute(text("UPDATE users SET token_version = token_version"))
            answered = await SqlDatabaseProbe(probe_engine, timeout_seconds=1).ping()
    finally:
        await probe_engine.dispose()
        await writer_engine.dispose()

    assert answered is True


# --- 0006: stored emails and room names take the spelling new ones get ------------------


def full_width(text: str) -> str:
    """`Lab` in full-width letters, the look-alike NFKC folds back."""
    return "".join(chr(ord(char) + 0xFEE0) if char.isalnum() else char for char in text)


def test_0006_folds_stored_emails_and_room_names_but_never_merges_two(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    upgrade(url, "0005")
    ids = [uuid.uuid4() for _ in range(6)]
    emails_before = {
        ids[0]: "ana@bücher.example",  # folds to its IDNA spelling
        ids[1]: "bob@straße.example",
        ids[2]: "bob@strasse.example",  # the spelling ids[1] would take: ids[1] stays
    }
    rooms_before = {
        ids[3]: (full_width("Lab 1"), full_width("Main")),  # folds
        ids[4]: ("Hall", "Main"),
        ids[5]: (full_width("Hall"), "Main"),  # would fold onto Hall: stays
    }
    created = datetime(2026, 11, 1, tzinfo=UTC)

    def seed(sync: Connection) -> None:
        for user_id, email in emails_before.items():
            sync.execute(
                insert(users).values(
                    id=user_id,
                    email=email,
                    full_name="Someone",
                    role="STUDENT",
                    password_hash="hash",
                    is_active=True,
                    token_version=0,
                    created_at=created,
                )
            )
        for room_id, (name, building) in rooms_before.items():
            sync.execute(
                insert(rooms).values(
                    id=room_id,
                    name=name,
                    building=building,
                    capacity=10,
                    requires_approval=False,
                    is_active=True,
                    created_at=created,
                )
            )
        sync.commit()

    asyncio.run(_with_connection(url, seed))

    upgrade(url)

    def read(sync: Connection) -> tuple[dict[Any, str], dict[Any, tuple[str, str]]]:
        emails = {row.id: row.email for row in sync.execute(select(users))}
        named = {row.id: (row.name, row.building) for row in sync.execute(select(rooms))}
        return emails, named

    emails, named = asyncio.run(_with_connection(url, read))
    assert emails == {**emails_before, ids[0]: "ana@xn--bcher-kva.example"}
    assert named == {**rooms_before, ids[3]: ("Lab 1", "Main")}


def test_0007_puts_stored_rooms_in_the_campus_zone(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = empty_database_url
    upgrade(url, "0006")
    room_id = uuid.uuid4()
    room = {  # the columns of revision 0006: no time zone yet
        "id": room_id,
        "name": "Oak",
        "building": "Main",
        "capacity": 4,
        "requires_approval": False,
        "is_active": True,
        "created_at": datetime(2026, 11, 1, tzinfo=UTC),
    }

    def seed(sync: Connection) -> None:
        sync.execute(insert(rooms).values(room))
        sync.commit()

    asyncio.run(_with_connection(url, seed))
    monkeypatch.setenv("CAMPUS_BOOKING_TIME_ZONE", "Europe/Berlin")

    upgrade(url)

    def zones(sync: Connection) -> list[tuple[Any, str]]:
        return [(row.id, row.time_zone) for row in sync.execute(select(rooms))]

    assert asyncio.run(_with_connection(url, zones)) == [(room_id, "Europe/Berlin")]
