"""Which database errors mean "not reachable right now" rather than "this request is wrong"."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from campus_booking.domain.errors import Unavailable

# SQLSTATE classes: 08 connection exception; 57P operator intervention (shutdown, starting up).
_UNREACHABLE_SQLSTATES = ("08", "57P")


def is_unreachable(error: BaseException) -> bool:
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
