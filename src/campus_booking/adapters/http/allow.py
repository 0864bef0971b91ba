"""`OPTIONS` answers an `Allow` header naming every method of the path.

Litestar makes the OPTIONS handler of a path when the path's first handler is registered, and
it goes on listing only the methods known then: `OPTIONS /rooms` said `OPTIONS, POST`, though
`GET /rooms` exists. This hook puts the complete list, read from the app's routes, in its place.
"""

from __future__ import annotations

from litestar.routes import HTTPRoute
from litestar.types import BeforeMessageSendHookHandler, Message, Scope


def allow_every_method() -> BeforeMessageSendHookHandler:
    allowed: dict[str, bytes] = {}  # path template -> `Allow` value, made on first use

    async def complete_allow(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        if not allowed:
            allowed.update(
                (route.path_format, ", ".join(sorted(route.methods)).encode("latin-1"))
                for route in scope["app"].routes
                if isinstance(route, HTTPRoute)
            )
        methods = allowed.get(str(scope.get("path_template")))
        headers = list(message.get("headers", ()))
        kept = [(name, value) for name, value in headers if name.lower() != b"allow"]
        if methods is not None and len(kept) < len(headers):
            message["headers"] = [*kept, (b"allow", methods)]

    return complete_allow
