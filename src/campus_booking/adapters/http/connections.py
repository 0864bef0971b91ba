"""A response sent before its request's body was read says `Connection: close`.

A 413 (or a 401, a 415) goes out before the body is read. An HTTP/1.1 server must then
either read and discard the rest or close the connection, and may close it without saying
so: a client that reuses it sees its next request fail with "Server disconnected". Telling
it to close lets it open a new connection instead, and a request pipelined behind the
refused one is never left waiting on a connection that is about to go.
"""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

CLOSE = (b"connection", b"close")


class CloseWhenBodyUnread:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or not _announces_body(scope):
            await self._app(scope, receive, send)
            return
        read = False

        async def receive_tracked() -> ReceiveMessage:
            nonlocal read
            message = await receive()
            if message["type"] != "http.request" or not message.get("more_body", False):
                read = True
            return message

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and not read:
                headers = [h for h in message.get("headers", ()) if h[0].lower() != CLOSE[0]]
                message = {**message, "headers": [*headers, CLOSE]}
            await send(message)

        await self._app(scope, receive_tracked, send_closing)


def _announces_body(scope: Scope) -> bool:
    """An HTTP/1 request with a body: a non-zero `Content-Length`, or chunked."""
    if scope.get("http_version") not in ("1.0", "1.1"):
        return False  # HTTP/2 and 3 end a stream, not the connection
    for name, value in scope["headers"]:
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False
