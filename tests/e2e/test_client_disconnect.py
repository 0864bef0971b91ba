"""A client that hangs up while sending its body is a broken connection, not a server fault."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import create_app
from campus_booking.container import Container
from tests.e2e.conftest import register


async def test_a_disconnect_mid_body_is_logged_quietly_and_writes_nothing(
    container: Container, client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(container)
    body = b'{"email": "ana@uni.example", "password": "correct horse battery", "full_'
    events = iter(
        [
            {"type": "http.request", "body": body, "more_body": True},
            {"type": "http.disconnect"},
        ]
    )
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return next(events)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/auth/register",
        "raw_path": b"/auth/register",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"500")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    with caplog.at_level(logging.INFO):
        await app(scope, receive, send)  # type: ignore[arg-type]

    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert any("client disconnected" in record.getMessage() for record in caplog.records)
    assert sent[0]["status"] == 400
    assert (await register(client, "ana@uni.example")).status_code == 201  # nothing was written
