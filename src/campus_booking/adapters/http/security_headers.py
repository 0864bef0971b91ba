"""Security headers on every response, 404s included, and the CORS policy, from settings."""

from __future__ import annotations

from litestar.config.cors import CORSConfig
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
    # Encoded once: this runs for every response.
    api_headers = _encoded({**fixed, "Content-Security-Policy": API_POLICY})
    docs_headers = _encoded({**fixed, "Content-Security-Policy": DOCS_POLICY})
    # Responses carry people's schedules: no shared cache may keep them.
    no_store = (b"cache-control", b"no-store")

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", ()))
        sent = {name.lower() for name, _ in headers}
        path = scope["path"]
        is_docs = path == "/docs" or path.startswith("/docs/")
        headers.extend(
            header for header in (docs_headers if is_docs else api_headers) if header[0] not in sent
        )
        if b"cache-control" not in sent:
            headers.append(no_store)
        message["headers"] = headers

    return add_headers


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


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
