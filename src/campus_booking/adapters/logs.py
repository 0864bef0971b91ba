"""Log set-up: one JSON object per line in production, readable lines in development.

Every record carries the id of the request being served (or "-"), so the lines of one
request can be found together; the HTTP adapter sets it per request.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar

from pythonjsonlogger.msgspec import MsgspecFormatter

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(request_id)s %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging(*, json: bool, level: str = "INFO") -> None:
    """Replaces the root handlers, so each server worker logs in one format."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if json:
        handler.setFormatter(
            MsgspecFormatter(  # msgspec renders the per-request line faster than json does
                JSON_FIELDS,
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",  # ISO 8601 in UTC
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
