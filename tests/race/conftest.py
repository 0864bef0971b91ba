"""A real server for the race tests: `campus-booking serve` with two worker processes.

Each worker builds its own engine and connection pool, so nothing inside the application can
keep two requests for one slot apart: only the database can. The tests talk to the server over
HTTP, set it up through its own API and CLI, and then read the database it wrote directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from sqlalchemy import RowMapping, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.tables import bookings
from tests.conftest import TABLES, TEST_SECRET

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).parent / "campus-booking")
HOST = "127.0.0.1"
WORKERS = 2
STARTUP_SECONDS = 30
SHUTDOWN_SECONDS = 15
REQUEST_SECONDS = 30
MAX_CONNECTIONS = 100
SETUP_CONCURRENCY = 4  # within one process's sign-up hashing budget (1 at a time, 4 waiting)

ADMIN_EMAIL = "admin@uni.example"
PASSWORD = "correct horse battery"
ACTIVE = ("PENDING", "APPROVED")


# --- The server process -------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    url: str
    database_url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def server_environment(
    database_url: str, bcrypt_rounds: int = 4, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """This environment without any `CAMPUS_BOOKING_*` setting, plus the test's own."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("CAMPUS_BOOKING_")}
    return {
        **inherited,
        "CAMPUS_BOOKING_DATABASE_URL": database_url,
        "CAMPUS_BOOKING_JWT_SECRET": TEST_SECRET,
        "CAMPUS_BOOKING_BCRYPT_ROUNDS": str(bcrypt_rounds),
        # Every student of a test signs up from this one address.
        "CAMPUS_BOOKING_REGISTRATIONS_PER_CLIENT": "100000",
        # The races book fixed dates years ahead, many by one student: no campus limits here.
        "CAMPUS_BOOKING_MAX_DAYS_AHEAD": "36500",
        "CAMPUS_BOOKING_MAX_ACTIVE_BOOKINGS_PER_STUDENT": "100000",  # the most it may be
        **(extra or {}),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def wait_until_serving(process: subprocess.Popen[bytes], server: Server) -> None:
    """Until GET /health answers 200, for `STARTUP_SECONDS` at most."""
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(base_url=server.url, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(
                    f"the server exited with {process.returncode} before it answered:\n"
                    f"{server.output()}"
                )
            with contextlib.suppress(httpx.TransportError):
                if client.get("/health").status_code == 200:
                    return
            time.sleep(0.1)
    pytest.fail(
        f"the server did not answer GET /health within {STARTUP_SECONDS} s:\n{server.output()}"
    )


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, as a process manager would; SIGKILL for whatever is left of the group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=SHUTDOWN_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the group is the server's own session
    process.wait()


def kill(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL for the whole group, as a crash or the OOM killer would; returns once all died.

    The workers are the main process's children: once it is gone nobody may reap them, so a
    member counts as gone when it is a zombie (it holds no files then).
    """
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + SHUTDOWN_SECONDS
    while group_alive(process.pid):
        if time.monotonic() > deadline:
            pytest.fail(f"process group {process.pid} outlived SIGKILL by {SHUTDOWN_SECONDS} s")
        time.sleep(0.05)


def group_alive(group: int) -> bool:
    """Whether any process of the group is still alive (not a zombie)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: count zombies as alive, at worst the test waits
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            # After the command in parentheses: state, parent id, process group id, ...
            state, _parent, process_group = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, IndexError, ValueError):
            continue  # exited meanwhile
        if int(process_group) == group and state != "Z":
            return True
    return False


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def race_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One database per kind for the whole module, so that one server can serve every test.

    SQLite: a copy of the session's migrated template. PostgreSQL: the session's migrated
    database, emptied afterwards as `postgres_url` does. Each test books its own room.
    """
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("race") / "campus_booking.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = str(request.getfixturevalue("postgres_database"))
    yield url
    asyncio.run(truncate(url))


async def truncate(database_url: str) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {', '.join(TABLES)} CASCADE"))
    finally:
        await engine.dispose()


def start_server(
    database_url: str,
    log: Path,
    *,
    bcrypt_rounds: int = 4,
    environment: Mapping[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], Server]:
    """`campus-booking serve --workers 2` in a session (process group) of its own, answering.

    The caller owns the process: `stop` it, or signal it as the test needs.
    """
    port = free_port()
    running = Server(f"http://{HOST}:{port}", database_url, log)
    command = [CLI, "serve", "--host", HOST, "--port", str(port), "--workers", str(WORKERS)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=server_environment(database_url, bcrypt_rounds, environment),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_until_serving(process, running)
    except BaseException:
        stop(process)
        raise
    return process, running


@pytest.fixture(scope="module")
def server(race_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`campus-booking serve --workers 2` on that database, started once per module and kind."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    process, running = start_server(race_database_url, log)
    try:
        yield running
    finally:
        stop(process)


def create_admin(database_url: str) -> str:
    """The first admin, made with `campus-booking create-admin` as an operator would."""
    result = subprocess.run(
        [CLI, "create-admin", "--email", ADMIN_EMAIL, "--full-name", "Ada Admin"],
        cwd=PROJECT_ROOT,
        env={**server_environment(database_url), "CAMPUS_BOOKING_ADMIN_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return ADMIN_EMAIL


@pytest.fixture(scope="module")
def admin(server: Server) -> str:
    return create_admin(server.database_url)


@contextlib.asynccontextmanager
async def connect(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    """A client that opens a new connection per request.

    Reused keep-alive connections would race the server's keep-alive timeout and fail with a
    read error that says nothing about the application.
    """
    already_logged = len(server.output())
    limits = httpx.Limits(max_connections=MAX_CONNECTIONS, max_keepalive_connections=0)
    try:
        async with httpx.AsyncClient(
            base_url=server.url, timeout=REQUEST_SECONDS, limits=limits
        ) as client:
            yield client
    finally:
        # pytest shows this only when the test fails: what the server logged meanwhile.
        print(f"--- server log ---\n{server.output()[already_logged:]}")


@pytest.fixture
async def http(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with connect(server) as client:
        yield client


# --- Set-up through the API ---------------------------------------------------------------


@dataclass(frozen=True)
class Student:
    email: str
    token: str


@dataclass(frozen=True)
class Campus:
    room_id: str
    students: list[Student]


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def login(client: httpx.AsyncClient, email: str) -> str:
    response = await client.post("/auth/login", data={"username": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


async def sign_up(client: httpx.AsyncClient, email: str) -> Student:
    response = await client.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "full_name": "A Student"}
    )
    assert response.status_code == 201, response.text
    return Student(email, await login(client, email))


async def open_campus(client: httpx.AsyncClient, admin_email: str, students: int) -> Campus:
    """The admin creates a room that needs no approval; `students` students sign up.

    Room and accounts are named afresh each time: the tests of a module share one database.
    """
    tag = uuid4().hex[:8]
    admin_token = await login(client, admin_email)
    room = await client.post(
        "/rooms",
        json={"name": f"Lecture Hall {tag}", "building": "Main", "capacity": 200},
        headers=auth(admin_token),
    )
    assert room.status_code == 201, room.text
    assert room.json()["requires_approval"] is False

    limit = asyncio.Semaphore(SETUP_CONCURRENCY)

    async def one(number: int) -> Student:
        async with limit:
            return await sign_up(client, f"student{number:02d}.{tag}@uni.example")

    signed_up = await asyncio.gather(*(one(number) for number in range(students)))
    return Campus(room.json()["id"], list(signed_up))


# --- The race -----------------------------------------------------------------------------


async def all_at_once(
    requests: Sequence[Callable[[], Awaitable[httpx.Response]]],
) -> list[httpx.Response]:
    """Sends every request at the same moment; the responses come back in the same order."""
    barrier = asyncio.Barrier(len(requests))

    async def racer(send: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        await barrier.wait()
        return await send()

    return list(await asyncio.gather(*(racer(send) for send in requests)))


def unexpected(responses: Sequence[httpx.Response], expected: set[int]) -> str:
    """A failure message: every response whose status is not in `expected`, with its body."""
    lines = [
        f"{r.status_code} {r.request.method} {r.request.url.path}: {r.text}"
        for r in responses
        if r.status_code not in expected
    ]
    return "unexpected responses:\n" + "\n".join(lines)


Times = tuple[datetime, datetime]


def times_of(body: dict[str, Any]) -> Times:
    return datetime.fromisoformat(body["starts_at"]), datetime.fromisoformat(body["ends_at"])


def conflicts_of(body: dict[str, Any]) -> list[Times]:
    return [times_of(conflict) for conflict in body["conflicts"]]


# --- Reading the database directly --------------------------------------------------------


async def overlapping_active_bookings(database_url: str, room_id: str) -> list[tuple[UUID, UUID]]:
    """Pairs of active bookings of the room whose half-open slots overlap: a self-join."""
    a, b = bookings.alias("a"), bookings.alias("b")
    query = select(a.c.id, b.c.id).where(
        a.c.room_id == UUID(room_id),
        b.c.room_id == a.c.room_id,
        a.c.id < b.c.id,
        a.c.status.in_(ACTIVE),
        b.c.status.in_(ACTIVE),
        a.c.starts_at < b.c.ends_at,
        b.c.starts_at < a.c.ends_at,
    )
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return [(row[0], row[1]) for row in await connection.execute(query)]
    finally:
        await engine.dispose()


async def bookings_of_room(database_url: str, room_id: str) -> dict[UUID, RowMapping]:
    """Every booking of the room, whatever its status, by id."""
    query = select(bookings).where(bookings.c.room_id == UUID(room_id))
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
    finally:
        await engine.dispose()
    return {row["id"]: row for row in rows}
