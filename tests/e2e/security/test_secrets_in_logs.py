"""Secrets stay out of logs and responses (OWASP API3 data exposure, API8 misconfiguration).

Every logger is turned up to DEBUG, as someone chasing a problem in production might, while a
user registers, signs in and makes calls that succeed and fail. Log files are read by more
people, and kept longer, than the database: a password, its hash or a live token in a log line
is a leak.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.actors import UNKNOWN_ID, Actor, at, booking_body, room_body
from tests.e2e.conftest import auth, register

EMAIL = "leaky@uni.example"
PASSWORD = "a secret passphrase 42"
# The test client's own loggers: they log the requests as the caller made them, query and all.
CLIENT_LOGGERS = ("httpx", "httpcore")


@dataclass
class Traffic:
    token: str
    password_hash: str
    responses: list[Any]
    logs: list[str]


@pytest.fixture
def verbose_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """DEBUG on every logger, and capture even from loggers that do not propagate to the root."""
    caplog.set_level(logging.DEBUG)
    detached = []
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
                detached.append(logger)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def rendered(record: logging.LogRecord) -> str:
    """The line as any formatter could write it: message with its args, traceback, extras."""
    return logging.Formatter().format(record) + repr(vars(record))


@pytest.fixture
async def traffic(
    verbose_logs: pytest.LogCaptureFixture,
    client: AsyncTestClient[Any],
    container: Container,
    admin: Actor,
) -> Traffic:
    registered = await register(client, EMAIL, password=PASSWORD)
    signed_in = await client.post("/auth/login", data={"username": EMAIL, "password": PASSWORD})
    token = signed_in.json()["access_token"]
    user = auth(token)
    again = {"email": EMAIL, "password": PASSWORD, "full_name": "A"}
    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/auth/me", {"headers": user}),
        ("GET", "/rooms", {"headers": user}),
        ("POST", "/rooms", {"json": room_body(), "headers": user}),  # 403
        ("POST", "/bookings", {"json": booking_body(UNKNOWN_ID, at(9), at(10)), "headers": user}),
        ("GET", "/rooms", {"params": {"offset": str(10**30)}, "headers": user}),  # 400
        ("POST", "/auth/login", {"data": {"username": EMAIL, "password": PASSWORD + "!"}}),
        ("POST", "/auth/register", {"json": again}),  # 409
        ("POST", "/auth/register", {"json": {**again, "email": "not-an-email"}}),  # 400
        ("GET", "/auth/me", {"params": {"access_token": token}}),
        ("GET", "/auth/me", {"headers": {"Cookie": f"access_token={token}"}}),
        ("GET", "/auth/me", {"headers": auth(token + "x")}),
        ("GET", "/admin/users", {"params": {"q": "leaky"}, "headers": admin.headers}),
        (
            "PATCH",
            f"/admin/users/{registered.json()['id']}",
            {"json": {"role": "STAFF"}, "headers": admin.headers},
        ),
        ("GET", "/auth/me", {"headers": user}),  # 401: the role change revoked the token
        ("GET", "/admin/audit", {"headers": admin.headers}),
    ]
    responses = [registered, signed_in]
    for method, url, options in calls:
        responses.append(await client.request(method, url, **options))
    async with container.uow(read_only=True) as uow:
        stored = await uow.users.get_by_email(EMAIL)
    assert stored is not None
    logs = [
        rendered(record)
        for record in verbose_logs.records
        if not record.name.startswith(CLIENT_LOGGERS)
    ]
    assert logs, "nothing was captured: the test would prove nothing"
    return Traffic(token, stored.password_hash, responses, logs)


def leaks(logs: list[str], secret: str) -> list[str]:
    return [line[:300] for line in logs if secret in line]


async def test_the_password_never_reaches_the_logs(traffic: Traffic) -> None:
    assert leaks(traffic.logs, PASSWORD) == []


async def test_the_password_hash_never_reaches_the_logs(traffic: Traffic) -> None:
    assert leaks(traffic.logs, traffic.password_hash) == []


async def test_the_access_token_never_reaches_the_logs(traffic: Traffic) -> None:
    """Not even from the requests that sent it where it does not belong (query, cookie)."""
    assert leaks(traffic.logs, traffic.token) == []


async def test_no_response_carries_the_password_or_its_hash(traffic: Traffic) -> None:
    for response in traffic.responses:
        for secret in (PASSWORD, traffic.password_hash, "password_hash"):
            assert secret not in response.text, (response.request.url, response.text)
