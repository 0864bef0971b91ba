"""The engine, with the SQLite settings that make it safe for concurrent writers."""

from __future__ import annotations

import logging
import weakref
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from campus_booking.adapters.database.sqlite_driver import OneTripAiosqlite, OnLoopAiosqlite

READ_ONLY = "campus_booking_read_only"


# A fixed pool per worker process. With overflow allowed, a burst opened and closed a fresh
# connection per request (a TLS handshake on PostgreSQL, a thread and PRAGMAs on SQLite); the
# profile of GET /auth/me under load showed it. Without overflow, a burst waits its turn, for
# at most `pool_timeout` seconds before it answers 503.
POOL = {"pool_size": 10, "max_overflow": 0, "pool_timeout": 5}
# Readers have a pool of their own: writers stuck behind a held lock then cannot take every
# connection, and reads (every request's user lookup) go on answering meanwhile.
READER_POOL = {"pool_size": 10, "max_overflow": 0, "pool_timeout": 5}

# A database that accepts the TCP connection but never answers fails the request in time.
CONNECT_TIMEOUT_SECONDS = 5
# How long a statement waits for a lock (PostgreSQL lock_timeout, SQLite busy_timeout), and how
# long any statement may run (PostgreSQL statement_timeout); the settings override them.
LOCK_TIMEOUT_SECONDS = 5.0
STATEMENT_TIMEOUT_SECONDS = 10.0


class _NoRowData(logging.Filter):
    """Statement parameters and fetched rows hold password hashes: they never reach a log,
    whatever level someone turns the database loggers up to while chasing a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg not in {"Row %r", "executing %s", "operation %s completed"}


_NO_ROW_DATA = _NoRowData()


def create_engine(
    url: str,
    *,
    lock_timeout_seconds: float = LOCK_TIMEOUT_SECONDS,
    statement_timeout_seconds: float = STATEMENT_TIMEOUT_SECONDS,
    **options: Any,
) -> AsyncEngine:
    """The engine for writers; `reader(engine)` is its twin for readers, with a pool of its own.

    No statement waits without a bound: on PostgreSQL every connection sets `lock_timeout` and
    `statement_timeout` (a lock held by a stuck transaction then costs a request the lock
    timeout and a 503, not a hang); on SQLite the busy timeout is the lock timeout.
    """
    lock_ms = _milliseconds(lock_timeout_seconds)
    statement_ms = _milliseconds(statement_timeout_seconds)
    driver = make_url(url).get_driver_name()
    if driver == "asyncpg":
        server_settings = {"lock_timeout": str(lock_ms), "statement_timeout": str(statement_ms)}
        options["connect_args"] = {
            "timeout": CONNECT_TIMEOUT_SECONDS,
            "server_settings": server_settings,
            **options.get("connect_args", {}),
        }
    elif driver == "psycopg":
        options["connect_args"] = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "options": f"-c lock_timeout={lock_ms} -c statement_timeout={statement_ms}",
            **options.get("connect_args", {}),
        }
    for name in ("sqlalchemy.engine.Engine", "aiosqlite"):
        logging.getLogger(name).addFilter(_NO_ROW_DATA)  # adding it twice keeps one
    # Parameters are left out of SQL logs and of error messages, which get logged too.
    writer_options: dict[str, Any] = {**POOL, **options}
    writer_busy_ms = lock_ms
    if driver == "aiosqlite":
        # SQLite has one writer at a time: the others of this process queue for the pool's
        # one connection, each handed it the moment the last commits, instead of waiting in
        # SQLite's busy handler, which sleeps up to 100 ms between looks at the lock. That
        # wait is for the write lock, so it is bounded by the lock timeout.
        writer_options.update(pool_size=1, pool_timeout=lock_timeout_seconds)
        # Its statements run on the loop too, unless another process holds the lock: then
        # they wait for it in the thread (sqlite_driver.py). COMMIT goes to the thread.
        writer_options.setdefault("module", OnLoopAiosqlite(busy_timeout_ms=lock_ms, writer=True))
        writer_busy_ms = 0
    engine = _create(url, writer_options, driver, busy_timeout_ms=writer_busy_ms)
    reader_options: dict[str, Any] = {**READER_POOL, **options}
    reader_options["execution_options"] = {READ_ONLY: True}
    reader_busy_ms = lock_ms
    if driver == "aiosqlite":  # reads run on the event loop, and wait for a lock off it
        reader_options.setdefault("module", OnLoopAiosqlite(busy_timeout_ms=lock_ms))
        reader_busy_ms = 0
    if engine.dialect.name != "sqlite":  # the SQLite driver is in autocommit mode already
        reader_options["isolation_level"] = "AUTOCOMMIT"
    twin = _READERS[engine] = _create(url, reader_options, driver, busy_timeout_ms=reader_busy_ms)

    @event.listens_for(engine.sync_engine, "engine_disposed")
    def _dispose_reader(_engine: Any) -> None:
        twin.sync_engine.dispose()  # runs inside the writer's dispose(), where it may await

    for seen, other in ((engine, twin), (twin, engine)):
        _renew_on_disconnect(seen, other)
    return engine


def _renew_on_disconnect(seen: AsyncEngine, other: AsyncEngine) -> None:
    """A lost connection in one pool means the other's are stale too: renew that pool.

    Each pool drops its own connections when one of them fails; without this, the first
    write after an outage that only readers noticed still failed on a dead connection.
    """

    @event.listens_for(seen.sync_engine, "handle_error")
    def _renew(context: Any) -> None:
        if context.is_disconnect:
            other.sync_engine.dispose(close=False)  # checked-out connections finish first


def _create(url: str, options: dict[str, Any], driver: str, *, busy_timeout_ms: int) -> AsyncEngine:
    if driver == "aiosqlite":
        options.setdefault("module", OneTripAiosqlite())
    engine = create_async_engine(url, **{"hide_parameters": True, **options})
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)
    return engine


def _milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def reader(engine: AsyncEngine) -> AsyncEngine:
    """The engine's twin for readers: its own pool, no transaction around their statements.

    A reader writes nothing, so it needs no BEGIN and no ROLLBACK: on PostgreSQL that is two
    round trips fewer per unit of work, on SQLite two thread hops. Each statement then reads
    its own snapshot, so a page and its total may disagree by a concurrent write; nothing
    is decided on such a pair. Made with the engine by `create_engine`, and disposed with it;
    an engine made elsewhere gets a twin that shares its pool. Made once per engine: deriving
    it per unit of work cost about a seventh of a user lookup.
    """
    twin = _READERS.get(engine)
    if twin is None:
        options: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name != "sqlite":  # the SQLite driver is in autocommit mode already
            options["isolation_level"] = "AUTOCOMMIT"
        twin = _READERS[engine] = engine.execution_options(**options)
    return twin


_READERS: weakref.WeakKeyDictionary[AsyncEngine, AsyncEngine] = weakref.WeakKeyDictionary()


def _configure_sqlite(engine: AsyncEngine, busy_timeout_ms: int) -> None:
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
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        # In WAL mode NORMAL survives a crashed process; only a power cut can lose the last commit.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if not connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        # A reader emits no BEGIN: each of its statements is a transaction of its own.
