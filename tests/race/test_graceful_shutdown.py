"""SIGTERM, as a process manager sends it on a deploy, lets the requests in flight finish.

A sign-in whose answer is lost on a deploy is a user who typed the right password and got an
error. The server hashes at a high bcrypt cost here so that every sign-in takes about a second
and is surely still running when the signal arrives. Granian exits 0 even when it had to kill
a worker that did not stop in time (`workers_kill_timeout` in `cli.py`), so the test reads its
log too.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.race.conftest import PASSWORD, Server, connect, start_server, stop

BCRYPT_ROUNDS = 14  # about 0.8 s per hash on one core
IN_FLIGHT = 4  # two per worker: as many as each worker's hashing threads
UNTIL_IN_FLIGHT_SECONDS = 0.3  # well under one hash: by then the server is hashing
EXIT_SECONDS = 15  # the sign-ins in flight, then the workers' and engines' own shutdown
KILLED_A_WORKER = "refused to gracefully stop"  # granian's warning before it SIGKILLs one


@pytest.fixture
def slow_server(
    sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], Server]]:
    process, server = start_server(sqlite_url, tmp_path / "server.log", bcrypt_rounds=BCRYPT_ROUNDS)
    try:
        yield process, server
    finally:
        stop(process)


def described(outcome: httpx.Response | BaseException) -> str:
    if isinstance(outcome, BaseException):
        return repr(outcome)
    return f"{outcome.status_code}: {outcome.text}"


async def test_sigterm_lets_sign_ins_in_flight_finish_then_exits_cleanly(
    slow_server: tuple[subprocess.Popen[bytes], Server],
) -> None:
    process, server = slow_server
    email = "late.leaver@uni.example"
    async with connect(server) as http:
        registered = await http.post(
            "/auth/register", json={"email": email, "password": PASSWORD, "full_name": "A Late"}
        )
        assert registered.status_code == 201, registered.text

        async def sign_in() -> httpx.Response:
            return await http.post("/auth/login", data={"username": email, "password": PASSWORD})

        sign_ins = [asyncio.create_task(sign_in()) for _ in range(IN_FLIGHT)]
        await asyncio.sleep(UNTIL_IN_FLIGHT_SECONDS)
        assert not any(task.done() for task in sign_ins), "a sign-in finished before SIGTERM"
        process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        outcomes = await asyncio.gather(*sign_ins, return_exceptions=True)

    failed = [described(o) for o in outcomes if not isinstance(o, httpx.Response) or o.is_error]
    assert failed == [], f"sign-ins in flight at SIGTERM failed: {failed}\n{server.output()}"
    for outcome in outcomes:
        assert isinstance(outcome, httpx.Response)
        assert outcome.status_code == 200, outcome.text
        assert outcome.json()["access_token"], outcome.text

    try:
        exit_code = await asyncio.to_thread(process.wait, EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {EXIT_SECONDS} s after SIGTERM:\n{server.output()}")
    assert exit_code == 0, server.output()
    assert time.monotonic() - signalled < EXIT_SECONDS
    assert KILLED_A_WORKER not in server.output(), server.output()
