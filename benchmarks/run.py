"""`make bench`: the service against its framework's ceiling, measured with wrk.

Starts the service as production would (granian, one worker per core, real bcrypt cost) on a
fresh database, seeds it, drives each workload for a fixed time after a warm-up, and writes a
Markdown table and a JSON file under benchmarks/results/. Every throughput is also given as a
share of the ceiling (a bare Litestar app served the same way) measured in the same run,
because absolute figures drift between runs and machines.

    python -m benchmarks.run                      # SQLite
    python -m benchmarks.run --postgres URL       # PostgreSQL (a fresh database is made there)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.tables import bookings, room_features, rooms

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"
LUA = ROOT / "benchmarks" / "wrk"

ROOMS = 1_000
TABLE_SIZES = (1_000, 100_000, 1_000_000)
# The week every "one week of one room" request asks for; the history seeded to grow the
# table lies before it, so the answer is the same at every size and only the table grows.
TARGET_WEEK = datetime(2031, 6, 2, tzinfo=UTC)
HISTORY_END = TARGET_WEEK - timedelta(days=1)
FREE_SLOTS_FROM = datetime(2032, 1, 1, tzinfo=UTC)
PASSWORD = secrets.token_urlsafe(16)  # of the seeded accounts, new every run


@dataclass
class Options:
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    database: str
    table_sizes: tuple[int, ...] = TABLE_SIZES
    only: str | None = None


@dataclass
class Result:
    workload: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]
    rss_mb_per_worker: list[float]
    ratio_to_ceiling: float | None = None
    notes: str = ""


@dataclass
class Run:
    date: str
    machine: str
    database: str
    server: str
    workers: int
    connections: int
    duration_s: int
    warmup_s: int
    results: list[Result] = field(default_factory=list)


# --- processes ----------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: install it (Debian: apt-get install wrk) and run again")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A server process and its workers; RSS is read from /proc."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, ready_path: str):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + ready_path, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"server did not start; its log:\n{Path(self.log.name).read_text()}")

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (the children of the server process)."""
        sizes = []
        for child in _children(self.process.pid):
            status = Path(f"/proc/{child}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def serve_command(target: str, *, factory: bool, port: int, workers: int) -> list[str]:
    """Both the service and the ceiling go through the service's own `serve_asgi`."""
    code = (
        "from campus_booking.adapters.cli import serve_asgi; "
        f"serve_asgi({target!r}, factory={factory}, host='127.0.0.1', port={port}, "
        f"workers={workers})"
    )
    return [sys.executable, "-c", code]


def wrk(
    options: Options,
    url: str,
    script: Path,
    *,
    duration: int | None = None,
    connections: int | None = None,
    threads: int | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run wrk with one of our Lua scripts; its `done` prints one JSON line we parse."""
    command = [
        ensure_wrk(),
        f"-t{threads or options.threads}",
        f"-c{connections or options.connections}",
        f"-d{duration or options.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    result = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    for line in result.stdout.splitlines():
        if line.startswith("JSON "):
            return dict(json.loads(line[5:]))
    raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")


def measure(
    options: Options,
    server: Server,
    name: str,
    path: str,
    script: str,
    *,
    expected: set[int],
    env: dict[str, str] | None = None,
    notes: str = "",
) -> Result:
    url = server.url + path
    lua = LUA / script
    print(f"  {name}: warm-up {options.warmup}s, run {options.duration}s", flush=True)
    wrk(options, url, lua, duration=options.warmup, env={**(env or {}), "WRK_PHASE": "0"})
    summary = wrk(options, url, lua, env={**(env or {}), "WRK_PHASE": "1"})
    return _result(name, summary, expected, server.worker_rss_mb(), notes)


def _result(
    name: str, summary: dict[str, Any], expected: set[int], rss: list[float], notes: str
) -> Result:
    statuses = {str(code): count for code, count in summary["statuses"].items()}
    unexpected = sum(count for code, count in statuses.items() if int(code) not in expected)
    return Result(
        workload=name,
        requests_per_s=round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
        p50_ms=round(summary["p50_us"] / 1000, 2),
        p99_ms=round(summary["p99_us"] / 1000, 2),
        errors=unexpected + summary["socket_errors"],
        statuses=statuses,
        rss_mb_per_worker=rss,
        notes=notes,
    )


# --- data ---------------------------------------------------------------------------------


@contextmanager
def fresh_database(postgres_url: str | None) -> Iterator[str]:
    if postgres_url is None:
        with tempfile.TemporaryDirectory(prefix="bench-") as folder:
            yield f"sqlite+aiosqlite:///{folder}/bench.db"
        return
    name = f"campus_booking_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin_sql(postgres_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_sql(postgres_url, f'DROP DATABASE "{name}" WITH (FORCE)'))


async def _admin_sql(url: str, statement: str) -> None:
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


async def seed_rooms(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in range(ROOMS)]
    async with engine.begin() as connection:
        await connection.execute(
            insert(rooms),
            [
                {
                    "id": room_id,
                    "name": f"Room {number:04}",
                    "building": f"Building {number % 20}",
                    "capacity": 10 + number % 90,
                    "requires_approval": False,
                    "is_active": True,
                    "created_at": now,
                }
                for number, room_id in enumerate(ids)
            ],
        )
        await connection.execute(
            insert(room_features),
            [{"room_id": room_id, "feature": "projector"} for room_id in ids[::2]],
        )
    await engine.dispose()
    return [str(room_id) for room_id in ids]


async def grow_bookings(
    database_url: str, room_ids: list[str], requester_id: str, have: int, want: int
) -> None:
    """Bring the table to `want` bookings, in bulk, with a progress bar.

    The first booking of every room falls in the target week; the rest is history before it,
    two hours apart, written latest-first per room.
    """
    engine = create_engine(database_url)
    now = datetime.now(UTC)
    batch: list[dict[str, Any]] = []
    written = have

    async def flush() -> None:
        nonlocal written
        async with engine.begin() as connection:
            await connection.execute(insert(bookings), batch)
        written += len(batch)
        batch.clear()
        done = (written - have) / (want - have)
        bar = "#" * int(done * 40)
        print(f"\r  seeding bookings [{bar:<40}] {written:>9,}/{want:,}", end="", flush=True)

    for index in range(have, want):
        room = uuid.UUID(room_ids[index % ROOMS])
        depth = index // ROOMS  # 0 for the target week, then further back in history
        if depth == 0:
            starts = TARGET_WEEK + timedelta(days=2, hours=10)
        else:
            starts = HISTORY_END - timedelta(hours=2 * depth)
        batch.append(
            {
                "id": uuid.uuid4(),
                "room_id": room,
                "requester_id": uuid.UUID(requester_id),
                "starts_at": starts,
                "ends_at": starts + timedelta(hours=1),
                "title": "Seminar",
                "attendees": 5,
                "status": "APPROVED",
                "decided_by": None,
                "decided_at": None,
                "decision_reason": None,
                "created_at": now,
            }
        )
        if len(batch) == 10_000:
            await flush()
    if batch:
        await flush()
    print(flush=True)
    await engine.dispose()


def login(url: str, email: str) -> str:
    response = httpx.post(
        url + "/auth/login", data={"username": email, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


# --- the run ------------------------------------------------------------------------------


def run(options: Options, postgres_url: str | None) -> Run:
    ensure_wrk()
    bench = Run(
        date=datetime.now(UTC).isoformat(timespec="seconds"),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, {_cpu_model()}, "
        f"{platform.python_implementation()} {platform.python_version()}",
        database="PostgreSQL" if postgres_url else "SQLite",
        server="granian (uvloop), via campus_booking.adapters.cli.serve_asgi",
        workers=options.workers,
        connections=options.connections,
        duration_s=options.duration,
        warmup_s=options.warmup,
    )

    if options.only is None:
        print("ceiling: bare Litestar app", flush=True)
        port = free_port()
        ceiling = Server(
            serve_command(
                "benchmarks.ceiling:app", factory=False, port=port, workers=options.workers
            ),
            dict(os.environ),
            port,
            "/auth/me",
        )
        try:
            bench.results.append(
                measure(
                    options,
                    ceiling,
                    "ceiling: bare Litestar",
                    "/auth/me",
                    "get.lua",
                    expected={200},
                )
            )
        finally:
            ceiling.stop()

    with fresh_database(postgres_url) as database_url:
        env = {
            **os.environ,
            "CAMPUS_BOOKING_ENV": "production",
            "CAMPUS_BOOKING_DATABASE_URL": database_url,
            "CAMPUS_BOOKING_JWT_SECRET": secrets.token_urlsafe(48),
            "CAMPUS_BOOKING_ADMIN_PASSWORD": PASSWORD,
            # wrk's registration flood names a new client per request in X-Forwarded-For.
            "CAMPUS_BOOKING_TRUSTED_PROXIES": "127.0.0.1",
            # One student books thousands of free slots, from 2032 on: lift the campus limits
            # (the count of their upcoming bookings still runs on every booking).
            "CAMPUS_BOOKING_MAX_DAYS_AHEAD": "36500",
            "CAMPUS_BOOKING_MAX_ACTIVE_BOOKINGS_PER_STUDENT": str(10**9),
        }
        subprocess.run([BIN / "campus-booking", "migrate"], env=env, cwd=ROOT, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [
                BIN / "campus-booking",
                "create-admin",
                "--email",
                "admin@bench.example",
                "--full-name",
                "Bench Admin",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        room_ids = asyncio.run(seed_rooms(database_url))
        port = free_port()
        service = Server(
            serve_command(
                "campus_booking.main:asgi_app", factory=True, port=port, workers=options.workers
            ),
            env,
            port,
            "/health/ready",
        )
        try:
            bench.results.extend(workloads(options, service, database_url, room_ids))
        finally:
            service.stop()
        if postgres_url and options.only is None:
            bench.results.append(floor(options, database_url))

    if options.only is None:
        ceiling_rps = bench.results[0].requests_per_s
        for result in bench.results:
            result.ratio_to_ceiling = round(result.requests_per_s / ceiling_rps, 3)
    return bench


def workloads(
    options: Options, service: Server, database_url: str, room_ids: list[str]
) -> Iterator[Result]:
    url = service.url
    student = httpx.post(
        url + "/auth/register",
        json={"email": "student@bench.example", "password": PASSWORD, "full_name": "Student"},
        timeout=30,
    )
    student.raise_for_status()
    admin_token = login(url, "admin@bench.example")
    student_token = login(url, "student@bench.example")
    as_student = {"WRK_TOKEN": student_token}
    as_admin = {"WRK_TOKEN": admin_token}

    if options.only == SIGN_IN_BESIDE_SIGN_UPS:
        yield from sign_in_beside_sign_ups(options, service)
        return

    yield measure(options, service, "GET /health", "/health", "get.lua", expected={200})
    me_alone = measure(
        options, service, "GET /auth/me", "/auth/me", "get.lua", expected={200}, env=as_student
    )
    yield me_alone
    yield measure(
        options,
        service,
        "GET /rooms?limit=50",
        "/rooms?limit=50",
        "get.lua",
        expected={200},
        env=as_student,
    )

    rooms_file = LUA / "rooms.generated.lua"
    rooms_file.write_text("return {" + ",".join(f'"{room}"' for room in room_ids) + "}\n")
    free = {
        **as_student,
        "WRK_ROOMS": str(rooms_file),
        "WRK_FROM_EPOCH": str(int(FREE_SLOTS_FROM.timestamp())),
    }
    yield measure(
        options,
        service,
        "POST /bookings (free slots)",
        "/bookings",
        "book_free.lua",
        expected={201},
        env=free,
        notes="each request a different free slot, rooms in turn",
    )
    taken_start = FREE_SLOTS_FROM - timedelta(days=30)
    taken = {
        **as_student,
        "WRK_ROOM": room_ids[0],
        "WRK_START": taken_start.isoformat(),
        "WRK_END": (taken_start + timedelta(hours=1)).isoformat(),
    }
    httpx.post(  # the one booking everyone else collides with
        url + "/bookings",
        headers={"Authorization": f"Bearer {student_token}"},
        json={
            "room_id": room_ids[0],
            "starts_at": taken["WRK_START"],
            "ends_at": taken["WRK_END"],
            "title": "Taken",
        },
        timeout=30,
    ).raise_for_status()
    yield measure(
        options,
        service,
        "POST /bookings (taken slot, 409)",
        "/bookings",
        "book_taken.lua",
        expected={409},
        env=taken,
    )

    student_id = httpx.get(
        url + "/auth/me", headers={"Authorization": f"Bearer {student_token}"}, timeout=30
    ).json()["id"]
    week = (
        f"/bookings?room_id={room_ids[ROOMS // 2]}&from={TARGET_WEEK.isoformat()}"
        f"&to={(TARGET_WEEK + timedelta(days=7)).isoformat()}"
    ).replace("+", "%2B")
    have = 0
    for size in options.table_sizes:
        asyncio.run(grow_bookings(database_url, room_ids, student_id, have, size))
        have = size
        yield measure(
            options,
            service,
            f"GET /bookings one room-week, {size:,} bookings",
            week,
            "get.lua",
            expected={200},
            env=as_admin,
        )

    print("  GET /auth/me beside logins at full bcrypt cost", flush=True)
    yield me_beside_logins(options, service, as_student, me_alone)
    yield from sign_in_beside_sign_ups(options, service)


SIGN_IN_BESIDE_SIGN_UPS = "sign-in-beside-sign-ups"
LOGIN_ENV = {"WRK_EMAIL": "student@bench.example"}


def sign_in_beside_sign_ups(options: Options, service: Server) -> Iterator[Result]:
    """Sign-ins at full bcrypt cost, alone and beside a flood of sign-ups.

    Two connections sign in in a loop. The flood is 48 connections registering fresh emails,
    each from a fresh address (so no per-address limit stops it): every request is worth a
    hash, and only the hashing budgets keep the sign-ins' share.
    """
    logins = {**LOGIN_ENV, "WRK_PASSWORD": PASSWORD}
    url = service.url + "/auth/login"
    print("  sign-in alone", flush=True)
    wrk(
        options,
        url,
        LUA / "login.lua",
        connections=2,
        threads=1,
        duration=options.warmup,
        env=logins,
    )
    alone = _result(
        "POST /auth/login alone",
        wrk(options, url, LUA / "login.lua", connections=2, threads=1, env=logins),
        {200},
        service.worker_rss_mb(),
        "2 connections, bcrypt cost 12",
    )
    yield alone
    print("  sign-in beside a sign-up flood", flush=True)
    flood = subprocess.Popen(  # noqa: S603
        [
            ensure_wrk(),
            "-t1",
            "-c48",
            f"-d{options.warmup + options.duration + 2}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA / "register.lua"),
            service.url + "/auth/register",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    time.sleep(options.warmup)
    summary = wrk(options, url, LUA / "login.lua", connections=2, threads=1, env=logins)
    rss = service.worker_rss_mb()
    out, _ = flood.communicate()
    flood_summary = json.loads(
        next(line[5:] for line in out.splitlines() if line.startswith("JSON "))
    )
    seconds = flood_summary["duration_us"] / 1e6
    statuses = ", ".join(
        f"{count / seconds:.0f}/s {code}"
        for code, count in sorted(flood_summary["statuses"].items())
    )
    beside = _result("POST /auth/login beside a sign-up flood", summary, {200}, rss, "")
    beside.notes = (
        f"48 connections signing up alongside ({statuses}); p99 "
        f"{beside.p99_ms / alone.p99_ms:.2f}x the p99 of sign-in alone"
    )
    yield beside


def me_beside_logins(
    options: Options, service: Server, as_student: dict[str, str], me_alone: Result
) -> Result:
    logins = subprocess.Popen(  # noqa: S603
        [
            ensure_wrk(),
            "-t1",
            "-c4",
            f"-d{options.warmup + options.duration + 2}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA / "login.lua"),
            service.url + "/auth/login",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "WRK_EMAIL": "student@bench.example", "WRK_PASSWORD": PASSWORD},
    )
    time.sleep(options.warmup)
    summary = wrk(options, service.url + "/auth/me", LUA / "get.lua", env=as_student)
    rss = service.worker_rss_mb()
    out, _ = logins.communicate()
    login_summary = json.loads(
        next(line[5:] for line in out.splitlines() if line.startswith("JSON "))
    )
    login_rate = login_summary["requests"] / (login_summary["duration_us"] / 1e6)
    result = _result("GET /auth/me beside logins", summary, {200}, rss, "")
    result.notes = (
        f"{login_rate:.1f} logins/s alongside; p99 {result.p99_ms / me_alone.p99_ms:.2f}x "
        f"the p99 of GET /auth/me alone"
    )
    return result


def floor(options: Options, database_url: str) -> Result:
    """A bare app that only reads the student's row with raw asyncpg, served the same way."""
    print("floor: bare Litestar app, one asyncpg row per request", flush=True)
    dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    port = free_port()
    server = Server(
        serve_command("benchmarks.floor:app", factory=False, port=port, workers=options.workers),
        {**os.environ, "FLOOR_DSN": dsn, "FLOOR_EMAIL": "student@bench.example"},
        port,
        "/auth/me",
    )
    try:
        return measure(
            options,
            server,
            "floor: bare Litestar + one asyncpg row",
            "/auth/me",
            "get.lua",
            expected={200},
            notes="GET /auth/me's database read and nothing else",
        )
    finally:
        server.stop()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


# --- reporting ----------------------------------------------------------------------------


def markdown(bench: Run) -> str:
    lines = [
        f"Run {bench.date} on {bench.machine}; {bench.database}; {bench.server}, "
        f"{bench.workers} workers; wrk {bench.connections} connections, "
        f"{bench.warmup_s} s warm-up + {bench.duration_s} s per workload.",
        "",
        "| Workload | req/s | share of ceiling | p50 ms | p99 ms | errors | RSS MB/worker "
        "| notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for r in bench.results:
        rss = ", ".join(f"{size:.0f}" for size in r.rss_mb_per_worker)
        lines.append(
            f"| {r.workload} | {r.requests_per_s:,.0f} | "
            f"{'' if r.ratio_to_ceiling is None else format(r.ratio_to_ceiling, '.0%')} | "
            f"{r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} | {rss} | {r.notes} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", metavar="URL", help="run on PostgreSQL at this server URL")
    parser.add_argument("--duration", type=int, default=10, help="seconds per workload")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per workload")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--max-bookings", type=int, default=TABLE_SIZES[-1], help="largest table (quick runs)"
    )
    parser.add_argument(
        "--only",
        choices=[SIGN_IN_BESIDE_SIGN_UPS],
        help="run just this workload (no ceiling, no other workloads)",
    )
    args = parser.parse_args()
    options = Options(
        duration=args.duration,
        warmup=args.warmup,
        connections=args.connections,
        threads=args.threads,
        workers=args.workers,
        database="postgresql" if args.postgres else "sqlite",
        table_sizes=tuple(size for size in TABLE_SIZES if size <= args.max_bookings),
        only=args.only,
    )
    started = time.monotonic()
    bench = run(options, args.postgres)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stem = f"{bench.date[:10]}-{options.database}" + (f"-{options.only}" if options.only else "")
    (RESULTS / f"{stem}.json").write_text(json.dumps(asdict(bench), indent=2) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(bench))
    print()
    print(markdown(bench))
    print(f"written to benchmarks/results/{stem}.{{md,json}} in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
