"""Request bodies must say they are what the route reads.

A web page on any site may POST a `text/plain` body cross-site without a CORS preflight; if
such a body were parsed as JSON anyway, any page could write to the API on a visitor's behalf.
"""

from __future__ import annotations

from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.middleware import ASGIMiddleware
from litestar.params import BodyKwarg
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from campus_booking.adapters.http.scope_headers import header

UNSUPPORTED_MEDIA_TYPE = 415


class DeclaredContentType(ASGIMiddleware):
    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        data_field = scope["route_handler"].parsed_data_field
        if data_field is not None:
            sent = _content_type(scope)
            if not sent and not _has_body(scope):
                # No length header says nothing over HTTP/2 or HTTP/3, where a body needs
                # none: whether one comes is for its first message to tell.
                # An empty chunk with more to come proves nothing either (some clients send
                # one before the end of an empty body): read on to the first byte or the end.
                read = [await receive()]
                while not read[-1].get("body") and read[-1].get("more_body"):
                    read.append(await receive())
                receive = _replaying(read, receive)
                sent_body = bool(read[-1].get("body"))
            else:
                sent_body = True
            body = data_field.kwarg_definition
            declared = body.media_type if isinstance(body, BodyKwarg) else RequestEncodingType.JSON
            expected = RequestEncodingType(declared).value
            if sent_body and not _matches(sent, expected):
                raise HTTPException(
                    status_code=UNSUPPORTED_MEDIA_TYPE,
                    detail=f"Send the body as `{expected}`, not `{sent or 'no content type'}`.",
                )
        await next_app(scope, receive, send)


def _replaying(read: list[ReceiveMessage], receive: Receive) -> Receive:
    """`receive`, giving back first the messages already read."""
    pending = list(reversed(read))

    async def replay() -> ReceiveMessage:
        return pending.pop() if pending else await receive()

    return replay


def _has_body(scope: Scope) -> bool:
    length = header(scope, b"content-length")
    return (length is not None and length.strip() != "0") or (
        header(scope, b"transfer-encoding") is not None
    )


def _content_type(scope: Scope) -> str:
    return (header(scope, b"content-type") or "").partition(";")[0].strip().lower()


def _matches(sent: str, expected: str) -> bool:
    if expected == "application/json":
        return sent == expected or (sent.startswith("application/") and sent.endswith("+json"))
    return sent == expected
