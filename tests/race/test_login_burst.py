"""A burst of simultaneous wrong passwords against a real two-worker server sharing Redis.

The attack: the throttle checked the count before the password and added to it after, so 100
wrong passwords sent together all got 401 (all were checked) and none 429.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Awaitable, Iterator
from pathlib import Path

import httpx
import pytest
from redis import Redis

from campus_booking.application.throttling import client_key
from tests.race.conftest import PASSWORD, Server, all_at_once, connect, start_server, stop

pytestmark = pytest.mark.redis

ATTEMPTS = 100
PER_ACCOUNT_AND_CLIENT = 5


@pytest.fixture(scope="module")
def redis_server(
    sqlite_template: Path, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("burst")
    shutil.copyfile(sqlite_template, folder / "campus_booking.db")
    database_url = f"sqlite+aiosqlite:///{folder / 'campus_booking.db'}"
    process, running = start_server(
        database_url, folder / "server.log", environment={"CAMPUS_BOOKING_REDIS_URL": redis_url}
    )
    try:
        yield running
    finally:
        stop(process)


async def test_100_simultaneous_wrong_passwords_on_two_workers_get_only_the_limit_checked(
    redis_server: Server, redis_url: str
) -> None:
    email = f"burst.{uuid.uuid4().hex[:8]}@uni.example"
    with Redis.from_url(redis_url) as redis:  # earlier runs' failures from this address
        redis.delete(client_key("127.0.0.1"))
    async with connect(redis_server) as client:
        created = await client.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Bo"}
        )
        assert created.status_code == 201, created.text

        def wrong() -> Awaitable[httpx.Response]:
            return client.post("/auth/login", data={"username": email, "password": "not it!"})

        responses = await all_at_once([wrong for _ in range(ATTEMPTS)])

    statuses = [response.status_code for response in responses]
    assert statuses.count(401) == PER_ACCOUNT_AND_CLIENT, statuses
    assert statuses.count(429) == ATTEMPTS - PER_ACCOUNT_AND_CLIENT, statuses
