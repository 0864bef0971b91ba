"""Sign-in throttling over HTTP: 429 with Retry-After in the one problem shape."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from ipaddress import ip_network
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import create_app
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
    for _ in range(settings.login_failures_per_account_and_client):
        assert_problem(await attempt(client, "not the password"), 401)

    throttled = await attempt(client, PASSWORD)

    body = assert_problem(throttled, 429)
    assert body["type"].endswith(":too-many-attempts")
    assert throttled.headers["Retry-After"] == "120"
    clock.advance(timedelta(seconds=120))
    assert (await attempt(client, PASSWORD)).status_code == 200


@asynccontextmanager
async def behind_proxy(container: Container, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP as it arrives from `peer` (the test client's own peer is not an IP address)."""
    transport = httpx.ASGITransport(app=create_app(container), client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        yield client


async def sign_in_from(client: httpx.AsyncClient, forwarded_for: str, password: str) -> int:
    response = await client.post(
        "/auth/login",
        data={"username": "ana@uni.example", "password": password},
        headers={"X-Forwarded-For": forwarded_for},
    )
    return response.status_code


async def test_behind_a_trusted_proxy_an_attacker_elsewhere_cannot_lock_the_owner_out(
    container: Container,
) -> None:
    """The attack: five wrong passwords from anywhere locked the account for everyone."""
    settings = replace(container.settings(), trusted_proxies=(ip_network("10.0.0.0/8"),))
    container.settings.override(settings)
    async with behind_proxy(container, "10.0.0.5") as client:
        await client.post(
            "/auth/register",
            json={"email": "ana@uni.example", "password": PASSWORD, "full_name": "Ana"},
        )
        attacker = [
            await sign_in_from(client, "203.0.113.66", "not the password")
            for _ in range(settings.login_failures_per_account_and_client + 1)
        ]

        owner = await sign_in_from(client, "198.51.100.1", PASSWORD)

    assert attacker[-1] == 429
    assert set(attacker[:-1]) == {401}
    assert owner == 200


async def test_without_trusted_proxies_a_forged_x_forwarded_for_escapes_no_limit(
    container: Container,
) -> None:
    limit = container.settings().login_failures_per_account_and_client
    async with behind_proxy(container, "203.0.113.66") as client:
        statuses = [
            await sign_in_from(client, f"198.51.100.{n}", "not the password")
            for n in range(limit + 1)
        ]

    assert statuses == [401] * limit + [429]
