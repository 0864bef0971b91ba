"""The PostgreSQL floor: the service's statements through raw asyncpg.

Each worker has two pools of ten connections, as the service's engine has (readers in
autocommit, writers in transactions), with the same lock and statement timeouts. asyncpg
prepares each statement once per connection, as SQLAlchemy's asyncpg dialect does; a connection
goes back to its pool without the reset round trip asyncpg makes by default, since nothing is
left on it to reset (the service's pool makes none either).

FLOOR_DATABASE (a libpq DSN) and FLOOR_USER_ID (the caller) come from `benchmarks.run`.
"""

from __future__ import annotations

import os
from typing import Any
from uuid import UUID

import asyncpg

from benchmarks.floors.app import floor_app
from benchmarks.floors.booking import create_booking, drive_awaiting
from benchmarks.floors.rows import NATIVE, Row
from benchmarks.floors.statements import POSTGRESQL, numbered, statements
from campus_booking.adapters.database.engine import (
    CONNECT_TIMEOUT_SECONDS,
    LOCK_TIMEOUT_SECONDS,
    POOL,
    STATEMENT_TIMEOUT_SECONDS,
)
from campus_booking.adapters.http.bookings import BookingIn, BookingOut


async def _nothing_to_reset(_connection: asyncpg.Connection) -> None:
    return None


async def _pool(dsn: str) -> asyncpg.Pool:
    settings = {
        "lock_timeout": str(round(LOCK_TIMEOUT_SECONDS * 1000)),
        "statement_timeout": str(round(STATEMENT_TIMEOUT_SECONDS * 1000)),
    }
    return await asyncpg.create_pool(
        dsn,
        min_size=POOL["pool_size"],
        max_size=POOL["pool_size"],
        max_queries=2**62,  # never recycled (asyncpg recycles after 50,000 by default)
        reset=_nothing_to_reset,
        timeout=CONNECT_TIMEOUT_SECONDS,
        server_settings=settings,
    )


class PostgresFloor:
    sql = numbered(statements(POSTGRESQL))
    codec = NATIVE

    def __init__(self, readers: asyncpg.Pool, writers: asyncpg.Pool) -> None:
        self._readers = readers
        self._writers = writers

    async def read(self, sql: str, parameters: tuple[Any, ...]) -> list[Row]:
        async with self._readers.acquire() as connection:
            rows: list[Row] = await connection.fetch(sql, *parameters)
        return rows

    async def book(self, requester_id: UUID, data: BookingIn) -> BookingOut:
        async with self._writers.acquire() as connection, connection.transaction():

            async def run(sql: str, parameters: tuple[Any, ...]) -> list[Row]:
                rows: list[Row] = await connection.fetch(sql, *parameters)
                return rows

            return await drive_awaiting(
                create_booking(self.sql, self.codec, requester_id, data), run
            )

    async def close(self) -> None:
        await self._readers.close()
        await self._writers.close()


async def _open() -> PostgresFloor:
    dsn = os.environ["FLOOR_DATABASE"]
    return PostgresFloor(await _pool(dsn), await _pool(dsn))


app = floor_app(_open)
