"""A body over the limit, sent to a real server: the connection stays usable, or is closed.

The 413 goes out before the body is read. The server may then close the connection (it
cannot find where the next request starts); a client that was not told so reuses it and its
next request fails with "Server disconnected". So such a response says `Connection: close`,
and a request pipelined behind the oversized one is answered or its connection closed at
once, never left hanging.
"""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from campus_booking.adapters.http.app import MAX_BODY_BYTES
from tests.race.conftest import HOST, Server, start_server, stop

OVERSIZED = b" " * (MAX_BODY_BYTES + 4096)
JSON = {"Content-Type": "application/json"}
ROUNDS = 20  # the server's closing races the client's reuse: once is not enough to see it
PIPELINE_SECONDS = 5


@pytest.fixture(scope="module")
def server(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("oversized")
    shutil.copyfile(sqlite_template, directory / "campus_booking.db")
    process, running = start_server(
        f"sqlite+aiosqlite:///{directory / 'campus_booking.db'}", directory / "server.log"
    )
    try:
        yield running
    finally:
        stop(process)


def test_a_request_after_an_oversized_body_on_one_client_gets_a_normal_answer(
    server: Server,
) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for _ in range(ROUNDS):
            refused = client.post("/auth/register", content=OVERSIZED, headers=JSON)
            assert refused.status_code == 413, refused.text

            after = client.get("/health")

            assert after.status_code == 200, after.text


def test_a_request_pipelined_behind_an_oversized_body_is_answered_or_closed_at_once(
    server: Server,
) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    head = (
        f"POST /auth/register HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(OVERSIZED)}\r\n\r\n"
    ).encode()
    pipelined = f"GET /health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((HOST, int(port)), timeout=PIPELINE_SECONDS) as raw:
        raw.sendall(head + OVERSIZED + pipelined)
        started = time.monotonic()
        received = b""
        try:
            while received.count(b"HTTP/1.1 ") < 2:
                chunk = raw.recv(65536)
                if not chunk:
                    break  # closed: the client knows at once to send it again
                received += chunk
        except TimeoutError:
            pytest.fail(f"the connection hung for {PIPELINE_SECONDS} s: {received[:200]!r}")
    assert received.startswith(b"HTTP/1.1 413"), received[:200]
    if received.count(b"HTTP/1.1 ") < 2:  # not answered: then the client was told to close
        assert b"connection: close" in received.lower(), received[:400]
    assert time.monotonic() - started < PIPELINE_SECONDS
