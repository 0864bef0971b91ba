"""Sign-in throttling over HTTP: 429 with Retry-After in the one problem shape."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.actors import fix_clock
from tests.e2e.conftest import PASSWORD, assert_problem, register


async def attempt(client: AsyncTestClient[Any], password: str) -> Any:
    return await client.post(
        "/auth/login", data={"username": "ana@uni.example", "password": password}
    )


async def test_repeated_failures_answer_429_until_the_window_ends(
    container: Container, client: AsyncTestClient[Any]
) -> None:
    settings = container.settings()
    container.settings.override(replace(settings, login_window_seconds=120))
    clock = fix_clock(container)
    await register(client, "ana@uni.example")
    for _ in range(settings.login_failures_per_account):
        assert_problem(await attempt(client, "not the password"), 401)

    throttled = await attempt(client, PASSWORD)

    body = assert_problem(throttled, 429)
    assert body["type"].endswith(":too-many-attempts")
    assert throttled.headers["Retry-After"] == "120"
    clock.advance(timedelta(seconds=120))
    assert (await attempt(client, PASSWORD)).status_code == 200
