"""A transaction that holds a lock for long (a stuck admin session, a migration) costs the
requests behind it the lock timeout and a 503 with Retry-After, never a hang; readers, who
have a pool of their own, go on answering meanwhile.

The requests run on the test's own event loop (httpx's ASGI transport), so that many of them
can be in flight at once while a separate connection holds the room's row.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import httpx
import pytest
from dependency_injector import providers
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.engine import POOL
from campus_booking.adapters.http.app import create_app
from campus_booking.application.auth import CreateAdminCommand
from campus_booking.container import Container
from tests.conftest import test_settings as settings_for
from tests.e2e.actors import booking_body, room_body
from tests.e2e.conftest import PASSWORD, assert_problem, auth

pytestmark = pytest.mark.postgres

LOCK_TIMEOUT = 1.0
# More writers than the pool has connections: the pool is exhausted while they wait.
WRITERS = int(POOL["pool_size"]) + 2


@pytest.fixture
async def app_client(postgres_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, Container]]:
    container = Container()
    settings = replace(
        settings_for(postgres_url),
        database_lock_timeout_seconds=LOCK_TIMEOUT,
        # Far above the lock timeout: a writer that answers in time was stopped by the latter.
        database_statement_timeout_seconds=10 * LOCK_TIMEOUT,
    )
    container.settings.override(providers.Object(settings))
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, container
    await container.engine().dispose()


async def _token(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post("/auth/login", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def _timed(request: Awaitable[httpx.Response]) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = await request
    return response, time.monotonic() - started


async def test_a_held_room_lock_answers_503_in_about_the_lock_timeout_and_reads_go_on(
    app_client: tuple[httpx.AsyncClient, Container], postgres_url: str
) -> None:
    client, container = app_client
    await container.create_admin()(
        CreateAdminCommand(email="ada@uni.example", password=PASSWORD, full_name="Ada")
    )
    admin = await _token(client, "ada@uni.example")
    room = await client.post("/rooms", json=room_body("Lab 1"), headers=auth(admin))
    assert room.status_code == 201, room.text
    room_id = room.json()["id"]
    body = {"email": "stu@uni.example", "password": PASSWORD, "full_name": "Stu"}
    assert (await client.post("/auth/register", json=body)).status_code == 201
    student = await _token(client, "stu@uni.example")
    tomorrow = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)

    def booking(hour: int) -> Awaitable[httpx.Response]:
        start = tomorrow + timedelta(hours=hour)
        slot = booking_body(room_id, start, start + timedelta(hours=1))
        return client.post("/bookings", json=slot, headers=auth(student))

    holder = create_async_engine(postgres_url)
    try:
        async with holder.connect() as connection:
            await connection.begin()
            await connection.execute(
                text("SELECT id FROM rooms WHERE id = :id FOR UPDATE"), {"id": UUID(room_id)}
            )
            writers = [asyncio.ensure_future(_timed(booking(hour))) for hour in range(WRITERS)]
            await asyncio.sleep(0.2)  # every writer is now waiting for the lock or the pool
            reads: list[tuple[httpx.Response, float]] = []
            while not all(writer.done() for writer in writers) and len(reads) < 20:
                reads.append(await _timed(client.get("/auth/me", headers=auth(student))))
                await asyncio.sleep(0.05)
            try:
                written = await asyncio.wait_for(asyncio.gather(*writers), timeout=10)
            finally:
                for writer in writers:
                    writer.cancel()
            await connection.rollback()
    finally:
        await holder.dispose()

    for response, _ in written:
        problem = assert_problem(response, 503)
        assert problem["type"].endswith(":unavailable")
        assert response.headers["Retry-After"] == "5"
    waits = sorted(seconds for _, seconds in written)
    # All answered while the lock was still held, most after about the lock timeout (those
    # beyond the pool waited for a connection first). The bounds leave room for a busy machine
    # and stay far below the statement timeout, which would otherwise have stopped them.
    assert waits[len(waits) // 2] < 3 * LOCK_TIMEOUT, waits
    assert waits[-1] < 6 * LOCK_TIMEOUT, waits
    assert reads, "no read ran while the writers waited"
    for response, seconds in reads:
        assert response.status_code == 200, response.text
        assert seconds < LOCK_TIMEOUT, [round(seconds, 3) for _, seconds in reads]

    # The lock released, the room takes bookings again, and nothing was half-written before.
    response = await booking(0)
    assert response.status_code == 201, response.text
    listed = await client.get("/bookings", headers=auth(student))
    assert listed.json()["total"] == 1
