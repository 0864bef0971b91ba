"""Reads run straight on the driver: compiled once, values converted by the columns' own types.

Through SQLAlchemy's execution layer (a Connection and its execution context, a result object,
a greenlet hop for each awaited call) a primary-key read cost several times what the driver
itself spends, and every request makes one to load its caller. A `DirectRead` is a SELECT
compiled once for the dialect; `DirectReader` runs it on a raw connection of the readers' pool
(the same connections, with the same settings), binds its parameters and converts its columns
with the bind and result processors SQLAlchemy itself would apply, and maps a driver error as
the unit of work does: unreachable → 503.

On SQLite the statement runs on the event loop, as every reader's does (see
`sqlite_driver.py`); on PostgreSQL it is one asyncpg round trip, prepared once per connection
by asyncpg's statement cache.

`DirectConnection` gives a read-only unit of work's repositories what they ask of a
connection (`execute`, `scalar`), so they keep one way of reading whichever runs it.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from campus_booking.adapters.database.engine import reader
from campus_booking.adapters.database.reachability import unavailable
from campus_booking.adapters.database.sqlite_driver import read_rows

Processor = Callable[[Any], Any] | None
# What a driver raises when the database cannot answer (the pool's errors are SQLAlchemy's).
DRIVER_ERRORS = (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


@dataclass(frozen=True, slots=True)
class DirectRead:
    """One SELECT, compiled for a dialect. A statement with a list parameter (`IN` over an
    expanding bind) renders its placeholders per call, for that list's length."""

    compiled: SQLCompiler
    sql: str
    parameters: tuple[str, ...]  # the bound parameters' names, in placeholder order
    binds: tuple[Processor, ...]
    processors: Mapping[str, Processor]  # every bound parameter's, by name
    defaults: Mapping[str, Any]  # the values that the statement binds itself (a separator)
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]  # (position, processor) to apply
    row_type: Callable[[Iterable[Any]], tuple[Any, ...]]  # rows answer `row.name`, as Row does
    expands: bool

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> DirectRead:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        sql, names = compiled.string, tuple(compiled.positiontup or ())
        expands = bool(compiled.post_compile_params)
        if compiled.literal_execute_params and not expands:
            # Values the statement renders into its SQL (SQLite's group_concat separator):
            # rendered once, placeholders kept for everything else.
            unbound = {name: None for name, bind in compiled.binds.items() if bind.required}
            state = compiled.construct_expanded_state(unbound)
            sql, names = state.statement, tuple(state.positiontup or ())
        selected = list(statement.selected_columns)
        return cls(
            compiled=compiled,
            sql=sql,
            parameters=names,
            binds=tuple(_bind_processor(compiled.binds[name].type, dialect) for name in names),
            processors={
                name: _bind_processor(bind.type, dialect) for name, bind in compiled.binds.items()
            },
            defaults={
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required
            },
            converted=tuple(
                (position, process)
                for position, column in enumerate(selected)
                if (process := column.type.dialect_impl(dialect).result_processor(dialect, None))
            ),
            row_type=_row_type([str(column.key) for column in selected]),
            expands=expands,
        )

    def bound(self, values: Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The SQL to run for `values`, and its positional arguments."""
        if self.expands:
            state = self.compiled.construct_expanded_state(dict(values))
            # Processors of the expanded names (statuses_1, …), then of the others.
            processors = {**self.processors, **state.processors}
            expanded = []
            for name in state.positiontup or ():
                value, process = state.parameters[name], processors.get(name)
                expanded.append(process(value) if process else value)
            return state.statement, tuple(expanded)
        arguments = []
        for name, process in zip(self.parameters, self.binds, strict=True):
            value = values[name] if name in values else self.defaults[name]
            arguments.append(process(value) if process else value)
        return self.sql, tuple(arguments)

    def row(self, fetched: Sequence[Any]) -> tuple[Any, ...]:
        # Most columns need no conversion: only those that do are visited.
        values = list(fetched)
        for position, process in self.converted:
            values[position] = process(values[position])
        return self.row_type(values)


def _row_type(names: list[str]) -> Callable[[Iterable[Any]], tuple[Any, ...]]:
    make: Any = namedtuple  # the names are the statement's: not known to the type checker
    return make("DirectRow", names, rename=True)._make  # type: ignore[no-any-return]


def _bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> Processor:
    return type_.dialect_impl(dialect).bind_processor(dialect)


class DirectReader:
    """Runs SELECTs on the readers' pool of an engine, each compiled on first use."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._writers = engine
        self._engine = reader(engine)
        # Statements are module constants, or built once per listing shape: held here, so
        # one compiled for a statement is never taken for another's.
        self._compiled: dict[Select[Any], DirectRead] = {}
        self._sqlite = self._engine.dialect.name == "sqlite"
        # Called with each statement's SQL before it runs, as SQLAlchemy's
        # `before_cursor_execute` listeners are for the others (the statement counters).
        self.observers: list[Callable[[str], None]] = []

    @classmethod
    def of(cls, engine: AsyncEngine) -> DirectReader:
        """The engine's one reader, made on first use, so its compiled statements are shared."""
        direct = _DIRECT_READERS.get(engine)
        if direct is None:
            direct = _DIRECT_READERS[engine] = cls(engine)
        return direct

    def prepared(self, statement: Select[Any]) -> DirectRead:
        read = self._compiled.get(statement)
        if read is None:
            read = self._compiled[statement] = DirectRead.of(statement, self._engine.dialect)
        return read

    async def rows(self, read: DirectRead, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        sql, arguments = read.bound(values)
        for observe in self.observers:
            observe(sql)
        try:
            pooled = await self._engine.raw_connection()
        except (DBAPIError, PoolTimeout, *DRIVER_ERRORS) as error:
            raise unavailable() from error
        try:
            if self._sqlite:
                fetched = await read_rows(pooled.dbapi_connection, sql, arguments)
            else:
                connection: Any = pooled.driver_connection
                fetched = await connection.fetch(sql, *arguments)
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


_DIRECT_READERS: weakref.WeakKeyDictionary[AsyncEngine, DirectReader] = weakref.WeakKeyDictionary()


class DirectResult:
    """The rows of one statement, read as the repositories read a SQLAlchemy result."""

    def __init__(self, rows: list[tuple[Any, ...]]) -> None:
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self._rows)

    def all(self) -> list[tuple[Any, ...]]:
        return self._rows

    def first(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None


class DirectConnection:
    """A read-only unit of work's connection: `execute` and `scalar` of SELECTs, run by a
    `DirectReader`. Nothing is opened until a statement runs, so nothing needs closing."""

    def __init__(self, reads: DirectReader) -> None:
        self._reads = reads

    async def execute(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> DirectResult:
        rows = await self._reads.rows(self._reads.prepared(statement), parameters or {})
        return DirectResult(rows)

    async def scalar(
        self, statement: Select[Any], parameters: Mapping[str, Any] | None = None
    ) -> Any:
        rows = await self._reads.rows(self._reads.prepared(statement), parameters or {})
        return rows[0][0] if rows else None

    def in_transaction(self) -> bool:
        return False
