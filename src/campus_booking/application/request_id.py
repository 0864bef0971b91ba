"""The id of the request being served, which every log line carries ("-" outside a request).

The HTTP adapter sets it per request and the log set-up reads it; it lives here, below both,
so that neither adapter imports the other.
"""

from __future__ import annotations

from contextvars import ContextVar

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
