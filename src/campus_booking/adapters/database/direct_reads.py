"""The hottest reads, run straight on the driver: compiled once, values converted by the
columns' own types.

Every request loads its caller's account. Through SQLAlchemy's execution layer (a Connection
and its execution context, a result object, a greenlet hop for each awaited call) that one
primary-key read cost several times what the driver itself spends. A `DirectRead` is a
SELECT compiled once for the dialect; `DirectReader` runs it on a raw connection of the
readers' pool (the same connections, the same settings), binds its parameters and converts
its columns with the bind and result processors SQLAlchemy itself would apply, and maps a
driver error as the unit of work does: unreachable → 503.

On SQLite the statement runs on the event loop, as every reader's does (see
`sqlite_driver.py`); on PostgreSQL it is one asyncpg round trip, prepared once per connection
by asyncpg's statement cache.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeEngine

from campus_booking.adapters.database.engine import reader
from campus_booking.adapters.database.reachability import unavailable
from campus_booking.adapters.database.sqlite_driver import read_on_loop

Processor = Callable[[Any], Any] | None
# What a driver raises when the database cannot answer (the pool's errors are SQLAlchemy's).
DRIVER_ERRORS = (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


@dataclass(frozen=True, slots=True)
class DirectRead:
    sql: str
    parameters: tuple[str, ...]  # the bound parameters' names, in placeholder order
    binds: tuple[Processor, ...]
    columns: tuple[Processor, ...]

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> DirectRead:
        compiled = statement.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        return cls(
            sql=compiled.string,
            parameters=names,
            binds=tuple(_bind_processor(compiled.binds[name].type, dialect) for name in names),
            columns=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in statement.selected_columns
            ),
        )

    def arguments(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        return tuple(
            process(values[name]) if process else values[name]
            for name, process in zip(self.parameters, self.binds, strict=True)
        )

    def row(self, fetched: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(
            process(value) if process else value
            for process, value in zip(self.columns, fetched, strict=True)
        )


def _bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).bind_processor(dialect)


class DirectReader:
    """Runs `DirectRead`s on the readers' pool of `engine`, each compiled on first use."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._writers = engine
        self._engine = reader(engine)
        self._compiled: dict[int, DirectRead] = {}
        self._sqlite = self._engine.dialect.name == "sqlite"
        # Called with each statement's SQL before it runs, as SQLAlchemy's
        # `before_cursor_execute` listeners are for the others (the statement counters).
        self.observers: list[Callable[[str], None]] = []

    def prepared(self, statement: Select[Any]) -> DirectRead:
        """Statements are module constants: compiled once each, looked up by identity."""
        read = self._compiled.get(id(statement))
        if read is None:
            read = self._compiled[id(statement)] = DirectRead.of(statement, self._engine.dialect)
        return read

    async def rows(self, read: DirectRead, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        arguments = read.arguments(values)
        for observe in self.observers:
            observe(read.sql)
        try:
            pooled = await self._engine.raw_connection()
        except (DBAPIError, PoolTimeout, *DRIVER_ERRORS) as error:
            raise unavailable() from error
        try:
            if self._sqlite:
                fetched = await read_on_loop(pooled.dbapi_connection, read.sql, arguments)
            else:
                fetched = await pooled.driver_connection.fetch(read.sql, *arguments)  # type: ignore[union-attr]
        except DRIVER_ERRORS as error:
            self._renew_pools(pooled, error)
            raise unavailable() from error
        finally:
            pooled.close()  # back to the pool: a reader holds no transaction to undo
        return [read.row(row) for row in fetched]

    def _renew_pools(self, pooled: Any, error: BaseException) -> None:
        """What SQLAlchemy does on a lost connection, for both pools (see `engine.py`): the
        failed connection is dropped and the others are renewed once their users are done, so
        that the first request after an outage does not meet a dead connection. A statement
        that failed otherwise costs a pool renewal too, which is rare and harmless."""
        pooled.invalidate(error)
        for engine in (self._engine, self._writers):
            engine.sync_engine.dispose(close=False)
