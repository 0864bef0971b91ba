"""Log set-up: one JSON object per line in production, readable lines in development.

Every record carries the id of the request being served (or "-"), so the lines of one
request can be found together; the HTTP adapter sets it per request (application/request_id.py).

A record is one line, whatever it logs: JSON escapes by itself; the text format escapes
every character that is not printable (a line break in a request path would otherwise
start a forged record), and indents a traceback, so no line of it can pass for a record.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.msgspec import MsgspecFormatter

from campus_booking.application.request_id import REQUEST_ID

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(request_id)s %(message)s"


class TextFormatter(logging.Formatter):
    """`TEXT_FORMAT` with every value escaped: one record, one line (plus its traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        values = {
            name: escape(value) if isinstance(value, str) else value
            for name, value in vars(record).items()
        }
        # The message is escaped once its arguments are in; a traceback or a stack is a block.
        exc_text = record.exc_text
        if exc_text is None and record.exc_info:
            exc_text = self.formatException(record.exc_info)
        values.update(
            msg=escape(record.getMessage()),
            args=(),
            exc_info=None,
            exc_text=indented(exc_text) if exc_text else None,
            stack_info=record.stack_info,  # indented by formatStack
        )
        return super().format(logging.makeLogRecord(values))

    def formatStack(self, stack_info: str) -> str:
        return indented(stack_info)


def escape(text: str) -> str:
    """Non-printable characters (and the backslash) as Python escapes: `\\n`, `\\x00`, `\\u202e`."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(
        char if char.isprintable() and char != "\\" else repr(char)[1:-1] for char in text
    )


def indented(block: str) -> str:
    """A traceback's own line breaks are kept, each line escaped and indented."""
    return "\n".join("    " + escape(line) for line in block.split("\n"))


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
        handler.setFormatter(TextFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
