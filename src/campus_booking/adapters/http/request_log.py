"""One log line per request, and an `X-Request-ID` on every response.

This wraps Litestar's whole request handler rather than sitting among its route middleware,
because route middleware never sees a request that matches no route (404, 405).
"""

from __future__ import annotations

import logging
import re
import secrets
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPScope, Message, Receive, Scope, Send

from campus_booking.application.request_id import REQUEST_ID

log = logging.getLogger("campus_booking.requests")

# A caller's id (from a proxy, say) is kept only if it cannot forge or break a log line.
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        await self._handle(scope, receive, send)

    async def _handle(self, scope: HTTPScope, receive: Receive, send: Send) -> None:
        request_id = _request_id(scope)
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # unless a response starts: the server answers 500 for us

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), id_header]
            await send(message)

        try:
            await self._app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):  # the record's fields are built only if it is kept
                _log(scope, status, request_id, started)
            REQUEST_ID.reset(token)


def _log(scope: HTTPScope, status: int, request_id: str, started: float) -> None:
    log.info(
        "%s %s %s",
        scope["method"],
        scope["path"],
        status,
        extra={
            "request_id": request_id,  # on the record itself, whatever the handler
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )


def _request_id(scope: HTTPScope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if _SAFE_ID.fullmatch(candidate):
                return candidate
    return secrets.token_hex(16)  # as random as a UUID4's hex, at a fifth of the cost
