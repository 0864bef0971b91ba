"""The engine, with the SQLite settings that make it safe for concurrent writers."""

from __future__ import annotations

import logging
import weakref
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from campus_booking.adapters.database.sqlite_driver import OneTripAiosqlite

READ_ONLY = "campus_booking_read_only"
SQLITE_BUSY_TIMEOUT_MS = 5_000


# A fixed pool per worker process. With overflow allowed, a burst opened and closed a fresh
# connection per request (a TLS handshake on PostgreSQL, a thread and PRAGMAs on SQLite); the
# profile of GET /auth/me under load showed it. Without overflow, a burst waits its turn.
POOL = {"pool_size": 10, "max_overflow": 0, "pool_timeout": 10}


# A database that accepts the TCP connection but never answers fails the request in time.
CONNECT_TIMEOUT_SECONDS = 5


class _NoRowData(logging.Filter):
    """Statement parameters and fetched rows hold password hashes: they never reach a log,
    whatever level someone turns the database loggers up to while chasing a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in {"Row %r", "executing %s", "operation %s completed"}


_NO_ROW_DATA = _NoRowData()


def create_engine(url: str, **options: Any) -> AsyncEngine:
    driver = make_url(url).get_driver_name()
    if driver == "asyncpg":
        options.setdefault("connect_args", {"timeout": CONNECT_TIMEOUT_SECONDS})
    if driver == "aiosqlite":
        options.setdefault("module", OneTripAiosqlite())
    for name in ("sqlalchemy.engine.Engine", "aiosqlite"):
        logging.getLogger(name).addFilter(_NO_ROW_DATA)  # adding it twice keeps one
    # Parameters are left out of SQL logs and of error messages, which get logged too.
    engine = create_async_engine(url, **{**POOL, "hide_parameters": True, **options})
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The engine's twin for readers: same pool, no transaction around their statements.

    A reader writes nothing, so it needs no BEGIN and no ROLLBACK: on PostgreSQL that is two
    round trips fewer per unit of work, on SQLite two thread hops. Each statement then reads
    its own snapshot, so a page and its total may disagree by a concurrent write; nothing
    is decided on such a pair. Made once per engine: deriving it per unit of work cost
    about a seventh of a user lookup.
    """
    twin = _READERS.get(engine)
    if twin is None:
        options: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name != "sqlite":  # the SQLite driver is in autocommit mode already
            options["isolation_level"] = "AUTOCOMMIT"
        twin = _READERS[engine] = engine.execution_options(**options)
    return twin


_READERS: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and write transactions that begin IMMEDIATE.

    A transaction that reads and then writes under plain BEGIN must upgrade its lock, and
    SQLite refuses the upgrade ("database is locked") when another writer got there first;
    busy_timeout cannot help then. BEGIN IMMEDIATE takes the write lock up front, so
    concurrent writers queue instead. Readers emit no BEGIN at all and never wait for
    writers (WAL lets them read alongside).
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # In WAL mode NORMAL survives a crashed process; only a power cut can lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # A reader emits no BEGIN: each of its statements is a transaction of its own.
