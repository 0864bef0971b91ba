"""Security headers on every response, 404s included, and the CORS policy, from settings."""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.types import BeforeMessageSendHookHandler, Message, Scope

# The API returns JSON only: nothing in a response may run, load or be framed.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI runs its packaged scripts plus one inline start-up script, from this origin only.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)


def security_headers(*, hsts_seconds: int) -> BeforeMessageSendHookHandler:
    fixed = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if hsts_seconds:
        fixed["Strict-Transport-Security"] = f"max-age={hsts_seconds}; includeSubDomains"

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed.items():
            headers[name] = value
        is_docs = scope["path"] == "/docs" or scope["path"].startswith("/docs/")
        headers["Content-Security-Policy"] = DOCS_POLICY if is_docs else API_POLICY
        if "cache-control" not in headers:
            # Responses carry people's schedules: no shared cache may keep them.
            headers["Cache-Control"] = "no-store"

    return add_headers


def cors_config(origins: tuple[str, ...]) -> CORSConfig | None:
    """None (no CORS headers at all) unless origins are configured. Tokens travel in a header,
    never a cookie, so credentials are not allowed cross-origin."""
    if not origins:
        return None
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
        expose_headers=["X-Request-ID", "Retry-After"],
        allow_credentials=False,
        max_age=600,
    )
