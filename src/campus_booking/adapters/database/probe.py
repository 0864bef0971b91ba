"""Readiness probe: does the database answer?"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.database.engine import reader

log = logging.getLogger(__name__)


class SqlDatabaseProbe:
    def __init__(self, engine: AsyncEngine, timeout_seconds: float = 2.0) -> None:
        self._engine = engine
        self._timeout = timeout_seconds

    async def ping(self) -> bool:
        try:
            # A reader: on SQLite it must not wait for the write lock behind a long write.
            async with asyncio.timeout(self._timeout), reader(self._engine).connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError) as error:
            log.warning("database is not answering: %s", error)
            return False
        return True
