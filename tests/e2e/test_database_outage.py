"""The database goes away and comes back: clients get 503 with Retry-After, never a 500, and
the service recovers by itself.

The outage is made by a TCP relay between the service and PostgreSQL that the test closes
(dropping every open connection, as a crashed or restarted server would) and reopens.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient
from sqlalchemy.engine import make_url

from campus_booking.container import Container
from campus_booking.main import app_on
from tests.conftest import test_settings as settings_for
from tests.e2e.conftest import assert_problem, auth, login, register


class Relay:
    """Forwards a local port to the database while open; closed, it refuses and cuts.

    It runs on an event loop of its own, in a thread: the test client blocks the test's loop
    while the app serves a request, and the relay must keep moving bytes meanwhile.
    """

    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    def open(self) -> None:
        self._call(self._open())

    def close(self) -> None:
        self._call(self._close())

    def stop(self) -> None:
        if self._server is not None and self._server.is_serving():
            self.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _open(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self._writers -= {writer, upstream_writer}


@pytest.fixture
def relay(postgres_url: str) -> Iterator[Relay]:
    url = make_url(postgres_url)
    relay = Relay(url.host or "127.0.0.1", url.port or 5432)
    relay.open()
    yield relay
    relay.stop()


@pytest.fixture
async def relayed_client(relay: Relay, postgres_url: str) -> AsyncIterator[AsyncTestClient[Any]]:
    relayed = make_url(postgres_url).set(host="127.0.0.1", port=relay.port)
    container = Container()
    settings = settings_for(relayed.render_as_string(hide_password=False))
    container.settings.override(providers.Object(settings))
    async with AsyncTestClient(app=app_on(container)) as client:
        yield client


@pytest.mark.postgres
async def test_an_outage_answers_503_with_retry_after_and_the_service_recovers(
    relay: Relay, relayed_client: AsyncTestClient[Any]
) -> None:
    client = relayed_client
    assert (await register(client, "ana@uni.example")).status_code == 201
    token = await login(client, "ana@uni.example")

    relay.close()
    refused = [
        await client.get("/auth/me", headers=auth(token)),
        await client.post("/auth/login", data={"username": "ana@uni.example", "password": "x"}),
        await register(client, "ben@uni.example"),
        await client.get("/health/ready"),
    ]
    for response in refused:
        body = assert_problem(response, 503)
        assert body["type"].endswith(":unavailable")
        assert response.headers["Retry-After"] == "5"
    assert (await client.get("/health")).status_code == 200  # the process itself is fine

    relay.open()
    statuses = [(await client.get("/health/ready")).status_code for _ in range(3)]
    assert statuses[-1] == 200, statuses
    me = await client.get("/auth/me", headers=auth(token))
    assert me.status_code == 200
    assert me.json()["email"] == "ana@uni.example"
    # Nothing was half-written during the outage: ben's registration never happened.
    assert (await register(client, "ben@uni.example")).status_code == 201


async def test_a_database_that_cannot_be_opened_answers_503(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-directory" / "campus.db"
    container = Container()
    container.settings.override(providers.Object(settings_for(f"sqlite+aiosqlite:///{missing}")))
    async with AsyncTestClient(app=app_on(container)) as client:
        responses = [
            await register(client, "ana@uni.example"),
            await client.post("/auth/login", data={"username": "ana@uni.example", "password": "x"}),
            await client.get("/health/ready"),
        ]
    for response in responses:
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "5"
