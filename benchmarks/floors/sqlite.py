"""The SQLite floor: the service's statements through the standard library's sqlite3.

Each worker has two connections, set up as the service's engine sets up its own (WAL, foreign
keys, the busy timeout, synchronous=NORMAL; `BEGIN IMMEDIATE` for writes). Reads run on the
event loop itself: they take tens to a few hundred microseconds, less than a trip to a thread
and back (what aiosqlite makes the service pay), and with one worker per core no core is left
idle for a thread to use meanwhile; in WAL mode a read never waits for a writer. Writes run on a
thread of their own, one transaction per trip: `BEGIN IMMEDIATE` waits, up to the busy timeout,
while the other worker writes, and the loop must go on serving meanwhile.

Values are what the service's column types store: UUIDs as 32 hex digits, instants as naive
UTC text with microseconds, booleans as 0 and 1.

FLOOR_DATABASE (the database file) and FLOOR_USER_ID (the caller) come from `benchmarks.run`.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from benchmarks.floors.app import floor_app
from benchmarks.floors.booking import create_booking, drive
from benchmarks.floors.rows import Codec, Row
from benchmarks.floors.statements import SQLITE, statements
from campus_booking.adapters.database.engine import LOCK_TIMEOUT_SECONDS
from campus_booking.adapters.http.bookings import BookingIn, BookingOut


def _stored(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CODEC = Codec(
    read_uuid=UUID, read_instant=_instant, write_uuid=lambda id: id.hex, write_instant=_stored
)


def _connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute(f"PRAGMA busy_timeout={round(LOCK_TIMEOUT_SECONDS * 1000)}")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


class SqliteFloor:
    sql = statements(SQLITE)
    codec = CODEC

    def __init__(self, path: str) -> None:
        self._reader = _connect(path)
        self._writer = _connect(path)
        self._writes = ThreadPoolExecutor(max_workers=1, thread_name_prefix="floor-writer")

    async def read(self, sql: str, parameters: tuple[Any, ...]) -> list[Row]:
        return self._reader.execute(sql, parameters).fetchall()

    async def book(self, requester_id: UUID, data: BookingIn) -> BookingOut:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writes, self._book, requester_id, data)

    def _book(self, requester_id: UUID, data: BookingIn) -> BookingOut:
        """On the writer's thread: the whole transaction in one trip."""
        writer = self._writer
        writer.execute("BEGIN IMMEDIATE")
        try:
            booking = drive(
                create_booking(self.sql, self.codec, requester_id, data),
                lambda sql, parameters: writer.execute(sql, parameters).fetchall(),
            )
        except BaseException:
            writer.execute("ROLLBACK")
            raise
        writer.execute("COMMIT")
        return booking

    async def close(self) -> None:
        self._writes.shutdown()
        self._reader.close()
        self._writer.close()


async def _open() -> SqliteFloor:
    return SqliteFloor(os.environ["FLOOR_DATABASE"])


app = floor_app(_open)
