"""Request headers read straight from the ASGI scope, for the code every request passes through.

Litestar's `Headers` builds a case-insensitive map of all of them first, which doubled the
bearer-token middleware's own cost. ASGI servers give header names in lower case.
"""

from __future__ import annotations

from litestar.types import Scope


def header(scope: Scope, name: bytes) -> str | None:
    """The first value of the header `name` (lower case), if the request sent it."""
    return next((value.decode("latin-1") for key, value in scope["headers"] if key == name), None)
