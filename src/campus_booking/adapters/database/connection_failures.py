"""One line that tells an operator why the database could not be opened, and what to do.

The command line prints it instead of a driver's traceback: a missing database, a server that
is not running and refused credentials are set-up mistakes, not bugs.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

# SQLSTATEs of PostgreSQL's refusals at connection time.
_MISSING_DATABASE = "3D000"
_BAD_CREDENTIALS = ("28000", "28P01")


def explain(error: BaseException, database_url: str) -> str | None:
    """What went wrong opening `database_url`, or None when `error` is something else."""
    url = make_url(database_url)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    cause = error.orig if isinstance(error, DBAPIError) else error
    sqlstate = str(getattr(cause, "sqlstate", "") or "")
    if url.get_backend_name() == "sqlite":
        if isinstance(cause, sqlite3.OperationalError):
            return (
                f"cannot open the SQLite database {url.database!r} ({cause}): check that its "
                "folder exists and is writable, or set CAMPUS_BOOKING_DATABASE_URL"
            )
        return None
    if sqlstate == _MISSING_DATABASE:
        return (
            f"database {url.database!r} does not exist on the PostgreSQL server at {where}: "
            f"create it (createdb -h {url.host or 'localhost'} -p {url.port or 5432} "
            f"-U {url.username or 'postgres'} {url.database}), then migrate again"
        )
    if sqlstate in _BAD_CREDENTIALS:
        return (
            f"the PostgreSQL server at {where} refused user {url.username!r} ({cause}): check "
            "the user and password in CAMPUS_BOOKING_DATABASE_URL"
        )
    if isinstance(cause, OSError):
        return (
            f"cannot reach PostgreSQL at {where} ({cause.strerror or cause}): is the server "
            "running, and are the host and port in CAMPUS_BOOKING_DATABASE_URL right?"
        )
    return None
