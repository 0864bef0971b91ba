"""Whether the database can be reached: which errors mean "cannot serve right now" rather
than "this request is wrong".
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from campus_booking.domain.errors import Unavailable

# SQLSTATE classes: 08 connection exception; 57P operator intervention (shutdown, starting up).
# 55P03 lock_not_available: lock_timeout ran out behind a transaction holding the lock;
# 57014 query_canceled: statement_timeout ran out. 40P01 deadlock_detected: writers lock in
# one order so that none should, but should two ever, the one PostgreSQL aborts is told to
# retry, as is 40001 serialization_failure. Either way, retrying later may work.
_UNREACHABLE_SQLSTATES = ("08", "57P", "55P03", "57014", "40P01", "40001")


def is_unreachable(error: BaseException) -> bool:
    """Unreachable, or too busy to answer in time: the request deserves a 503, not a 500."""
    if isinstance(error, OSError | PoolTimeout):  # refused, reset, timed out; pool exhausted
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:  # the pool drops the connection and reconnects next time
        return True
    sqlstate = str(getattr(error.orig, "sqlstate", "") or "")
    if sqlstate.startswith(_UNREACHABLE_SQLSTATES):
        return True
    # SQLite's busy timeout ran out: other writers held the lock for too long.
    return isinstance(error, OperationalError) and "database is locked" in str(error.orig)


def unavailable() -> Unavailable:
    return Unavailable("The database is not answering; try again shortly.")
