"""The engine, with the SQLite settings that make it safe for concurrent writers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

READ_ONLY = "campus_booking_read_only"
SQLITE_BUSY_TIMEOUT_MS = 5_000


# A fixed pool per worker process. With overflow allowed, a burst opened and closed a fresh
# connection per request (a TLS handshake on PostgreSQL, a thread and PRAGMAs on SQLite); the
# profile of GET /auth/me under load showed it. Without overflow, a burst waits its turn.
POOL = {"pool_size": 10, "max_overflow": 0, "pool_timeout": 10}


# A database that accepts the TCP connection but never answers fails the request in time.
CONNECT_TIMEOUT_SECONDS = 5


def create_engine(url: str, **options: Any) -> AsyncEngine:
    if make_url(url).get_driver_name() == "asyncpg":
        options.setdefault("connect_args", {"timeout": CONNECT_TIMEOUT_SECONDS})
    engine = create_async_engine(url, **{**POOL, **options})
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, a busy timeout, and write transactions that begin IMMEDIATE.

    A transaction that reads and then writes under plain BEGIN must upgrade its lock, and
    SQLite refuses the upgrade ("database is locked") when another writer got there first;
    busy_timeout cannot help then. BEGIN IMMEDIATE takes the write lock up front, so
    concurrent writers queue instead. Read-only units of work keep a plain BEGIN and never
    wait for writers (WAL lets them read alongside).
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
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
