"""`make bench`: the service against its framework's ceiling and its floors, measured with wrk.

Starts the service as production would (granian, one worker per core, real bcrypt cost) on a
fresh database, seeds it, drives each workload for a fixed time after a warm-up, and writes a
Markdown table and a JSON file under benchmarks/results/. Every throughput is also given as a
share of the ceiling (a bare Litestar app served the same way) measured in the same run,
because absolute figures drift between runs and machines. The reads and the booking are also
given as a share of their floor (`benchmarks/floors/`): a bare app running the service's own
statements through the raw driver on the same database, measured right after the service.

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
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

from benchmarks.availability import availability_at, note_growth
from benchmarks.campus_rules import put_room_under_every_rule
from benchmarks.contention import SIGN_IN_BESIDE_SIGN_UPS, me_beside_logins, sign_in_beside_sign_ups
from benchmarks.idempotency import keyed_workloads
from benchmarks.load import Options, Result, ensure_wrk, measure, rooms_env, slots_from
from benchmarks.report import Run, markdown
from benchmarks.seeding import ROOMS, TARGET_WEEK, fresh_database, grow_bookings, seed_rooms
from benchmarks.series import series_workloads
from benchmarks.servers import ROOT, Server

BIN = Path(sys.executable).parent
RESULTS = ROOT / "benchmarks" / "results"

TABLE_SIZES = (1_000, 100_000, 1_000_000)
# Free slots are booked from here on; the floor books its own from two years later, far past
# the service's (the measured run's slots start 10,000 hours after the warm-up's).
FREE_SLOTS_FROM = datetime(2032, 1, 1, tzinfo=UTC)
FLOOR_FREE_SLOTS_FROM = datetime(2034, 1, 1, tzinfo=UTC)
# The room under every rule books its own, from here on: see `under_every_rule`.
RULED_SLOTS_FROM = datetime(2040, 1, 1, tzinfo=UTC)
PASSWORD = secrets.token_urlsafe(16)  # of the seeded accounts, new every run
ADMIN = "admin@bench.example"
STUDENT = "student@bench.example"
# The floor acts as a student of its own: its bookings then weigh on nobody the service books
# for, and each counts (and locks) only its own.
FLOOR_STUDENT = "floor.student@bench.example"
# Searches rooms as a student of no bookings of their own (see benchmarks/availability.py).
SEARCHER = "searcher@bench.example"
AVAILABILITY = "availability"  # `--only availability`: the availability reads alone
SERIES = "series"  # `--only series`: creating series beside a single booking
RETRIES = "retries"  # `--only retries`: keyed bookings beside unkeyed ones


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
        bench.results.append(ceiling(options))

    with fresh_database(postgres_url) as database_url:
        env = service_environment(database_url)
        subprocess.run([BIN / "campus-booking", "migrate"], env=env, cwd=ROOT, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [
                BIN / "campus-booking",
                "create-admin",
                "--email",
                ADMIN,
                "--full-name",
                "Bench Admin",
            ],
            env=env,
            cwd=ROOT,
            check=True,
        )
        room_ids = asyncio.run(seed_rooms(database_url))
        service = Server.of(
            "campus_booking.main:asgi_app",
            factory=True,
            workers=options.workers,
            env=env,
            ready_path="/health/ready",
        )
        try:
            bench.results.extend(workloads(options, service, database_url, room_ids))
        finally:
            service.stop()

    note_growth(bench.results, options.table_sizes)
    if options.only is None:
        ceiling_rps = bench.results[0].requests_per_s
        for result in bench.results:
            for measured in (result, result.floor):
                if measured is not None:
                    measured.ratio_to_ceiling = round(measured.requests_per_s / ceiling_rps, 3)
    return bench


def ceiling(options: Options) -> Result:
    print("ceiling: bare Litestar app", flush=True)
    server = Server.of(
        "benchmarks.ceiling:app",
        factory=False,
        workers=options.workers,
        env=dict(os.environ),
        ready_path="/auth/me",
    )
    try:
        return measure(
            options, server, "ceiling: bare Litestar", "/auth/me", "get.lua", expected={200}
        )
    finally:
        server.stop()


def service_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "CAMPUS_BOOKING_ENV": "production",
        "CAMPUS_BOOKING_DATABASE_URL": database_url,
        "CAMPUS_BOOKING_JWT_SECRET": secrets.token_urlsafe(48),
        "CAMPUS_BOOKING_ADMIN_PASSWORD": PASSWORD,
        # wrk's registration flood names a new client per request in X-Forwarded-For.
        "CAMPUS_BOOKING_TRUSTED_PROXIES": "127.0.0.1",
        # Students book thousands of free slots, from 2032 on: lift the campus limits (the
        # count of their upcoming bookings still runs on every booking).
        "CAMPUS_BOOKING_MAX_DAYS_AHEAD": "36500",
        "CAMPUS_BOOKING_MAX_ACTIVE_BOOKINGS_PER_STUDENT": "100000",  # the most it may be
    }


def workloads(
    options: Options, service: Server, database_url: str, room_ids: list[str]
) -> Iterator[Result]:
    student_id = register(service.url, STUDENT)
    as_admin = {"WRK_TOKEN": login(service.url, ADMIN)}
    as_student = {"WRK_TOKEN": login(service.url, STUDENT)}
    logins = {"WRK_EMAIL": STUDENT, "WRK_PASSWORD": PASSWORD}

    if options.only == SIGN_IN_BESIDE_SIGN_UPS:
        yield from sign_in_beside_sign_ups(options, service, STUDENT, PASSWORD)
        return
    register(service.url, SEARCHER)
    as_searcher = {"WRK_TOKEN": login(service.url, SEARCHER)}
    if options.only == AVAILABILITY:
        yield from as_the_table_grows(
            options, service, None, database_url, room_ids, student_id, as_admin, as_searcher
        )
        return
    if options.only == SERIES:
        yield from series_workloads(options, service, room_ids, as_admin)
        return
    if options.only == RETRIES:
        yield from keyed_workloads(options, service, room_ids, as_admin)
        return

    yield measure(options, service, "GET /health", "/health", "get.lua", expected={200})
    floor = start_floor(options, service, database_url)
    try:
        check_same_answers(service, floor, "/rooms?limit=20", as_student)
        me_alone = beside_floor(
            options, service, floor, "GET /auth/me", "/auth/me", "get.lua", env=as_student
        )
        yield me_alone
        yield beside_floor(
            options,
            service,
            floor,
            "GET /rooms?limit=20",
            "/rooms?limit=20",
            "get.lua",
            env=as_student,
        )
        yield free_slots(options, service, floor, room_ids, as_student)
        ruled_room = room_ids[1]
        put_room_under_every_rule(service.url, ruled_room, _bearer(as_admin))
        yield under_every_rule(options, service, ruled_room, as_student, "before the table grew")
        yield taken_slot(options, service, room_ids, as_student)
        yield from as_the_table_grows(
            options, service, floor, database_url, room_ids, student_id, as_admin, as_searcher
        )
        size = f"{options.table_sizes[-1]:,}" if options.table_sizes else "its first size"
        yield under_every_rule(options, service, ruled_room, as_student, f"table at {size}")
        plain_rooms = [room for room in room_ids if room != ruled_room]
        yield from series_workloads(options, service, plain_rooms, as_admin)
    finally:
        floor.stop()
    yield me_beside_logins(options, service, as_student, logins, me_alone)
    yield from sign_in_beside_sign_ups(options, service, STUDENT, PASSWORD)


def free_slots(
    options: Options,
    service: Server,
    floor: Server,
    room_ids: list[str],
    as_student: dict[str, str],
) -> Result:
    free = {**as_student, **rooms_env("rooms", room_ids)}
    return beside_floor(
        options,
        service,
        floor,
        "POST /bookings (free slots)",
        "/bookings",
        "book_free.lua",
        expected={201},
        env={**free, **slots_from(FREE_SLOTS_FROM)},
        floor_env={**free, **slots_from(FLOOR_FREE_SLOTS_FROM)},
        notes="each request a different free slot, rooms in turn",
    )


def under_every_rule(
    options: Options, service: Server, room_id: str, as_student: dict[str, str], when: str
) -> Result:
    """Free slots of one room under opening hours, a policy and quotas: their cost beside the
    plain POST's (issue 14: within 1.3x), and as the bookings table grows."""
    start = RULED_SLOTS_FROM + timedelta(days=3_650 if "grew" not in when else 0)
    return measure(
        options,
        service,
        f"POST /bookings under every campus rule, {when}",
        "/bookings",
        "book_free.lua",
        expected={201},
        env={
            **as_student,
            **rooms_env("ruled-room", [room_id]),
            **slots_from(start),
            # One room: its phases 23 years apart (not 1,141), within the campus horizon.
            "WRK_PHASE_SLOTS": "200000",
        },
        notes="one room with opening hours, a policy and quotas; compare the plain POST",
    )


def taken_slot(
    options: Options, service: Server, room_ids: list[str], as_student: dict[str, str]
) -> Result:
    start = FREE_SLOTS_FROM - timedelta(days=30)
    taken = {
        **as_student,
        "WRK_ROOM": room_ids[0],
        "WRK_START": start.isoformat(),
        "WRK_END": (start + timedelta(hours=1)).isoformat(),
    }
    httpx.post(  # the one booking everyone else collides with
        service.url + "/bookings",
        headers=_bearer(as_student),
        json={
            "room_id": room_ids[0],
            "starts_at": taken["WRK_START"],
            "ends_at": taken["WRK_END"],
            "title": "Taken",
        },
        timeout=30,
    ).raise_for_status()
    return measure(
        options,
        service,
        "POST /bookings (taken slot, 409)",
        "/bookings",
        "book_taken.lua",
        expected={409},
        env=taken,
    )


def as_the_table_grows(
    options: Options,
    service: Server,
    floor: Server | None,
    database_url: str,
    room_ids: list[str],
    requester_id: str,
    as_admin: dict[str, str],
    as_searcher: dict[str, str],
) -> Iterator[Result]:
    """One week of one room beside its floor (none: left out), and the availability reads, as
    the bookings table grows (every booking is the student's)."""
    week = (
        f"/bookings?room_id={room_ids[ROOMS // 2]}&from={TARGET_WEEK.isoformat()}"
        f"&to={(TARGET_WEEK + timedelta(days=7)).isoformat()}"
    ).replace("+", "%2B")
    have = 0
    for size in options.table_sizes:
        asyncio.run(grow_bookings(database_url, room_ids, requester_id, have, size))
        have = size
        if floor is not None:
            check_same_answers(service, floor, week, as_admin)
            yield beside_floor(
                options,
                service,
                floor,
                f"GET /bookings one room-week, {size:,} bookings",
                week,
                "get.lua",
                env=as_admin,
            )
        yield from availability_at(options, service, room_ids, as_searcher, size)


# --- floors -------------------------------------------------------------------------------


def start_floor(options: Options, service: Server, database_url: str) -> Server:
    """The floor of this database, served like the service, on its database."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        target, database = "benchmarks.floors.sqlite:app", str(url.database)
    else:
        target = "benchmarks.floors.postgres:app"
        database = url.set(drivername="postgresql").render_as_string(hide_password=False)
    print("floor: bare Litestar app, the service's statements through the raw driver", flush=True)
    floor = Server.of(
        target,
        factory=False,
        workers=options.workers,
        env={
            **os.environ,
            "FLOOR_DATABASE": database,
            "FLOOR_USER_ID": register(service.url, FLOOR_STUDENT),
        },
        ready_path="/auth/me",
    )
    check_same_answers(service, floor, "/auth/me", {"WRK_TOKEN": login(service.url, FLOOR_STUDENT)})
    return floor


def check_same_answers(service: Server, floor: Server, path: str, caller: dict[str, str]) -> None:
    """The floor must answer what the service answers, or its figures would mean nothing."""
    expected = httpx.get(service.url + path, headers=_bearer(caller), timeout=30).json()
    answer = httpx.get(floor.url + path, timeout=30).json()
    if answer != expected:
        floor.stop()
        sys.exit(f"the floor answers GET {path} otherwise than the service:\n{answer}\n{expected}")


def beside_floor(
    options: Options,
    service: Server,
    floor: Server,
    name: str,
    path: str,
    script: str,
    *,
    env: dict[str, str],
    floor_env: dict[str, str] | None = None,
    expected: set[int] | None = None,
    notes: str = "",
) -> Result:
    """The workload on the service, then on its floor; the floor ignores the bearer token."""
    statuses = expected or {200}
    result = measure(options, service, name, path, script, expected=statuses, env=env, notes=notes)
    result.floor = measure(
        options, floor, f"floor: {name}", path, script, expected=statuses, env=floor_env or env
    )
    result.ratio_to_floor = round(result.requests_per_s / result.floor.requests_per_s, 3)
    return result


# --- accounts -----------------------------------------------------------------------------


def register(url: str, email: str) -> str:
    """A student account with the run's password; its id."""
    response = httpx.post(
        url + "/auth/register",
        json={"email": email, "password": PASSWORD, "full_name": "Student"},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["id"])


def login(url: str, email: str) -> str:
    response = httpx.post(
        url + "/auth/login", data={"username": email, "password": PASSWORD}, timeout=30
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _bearer(caller: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {caller['WRK_TOKEN']}"}


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


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
        choices=[SIGN_IN_BESIDE_SIGN_UPS, AVAILABILITY, SERIES, RETRIES],
        help="run just this workload (no ceiling, no floors, no other workloads)",
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
