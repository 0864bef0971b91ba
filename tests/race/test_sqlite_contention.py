"""SQLite under write contention: writers that do not clash all succeed, none waits out a lock.

SQLite runs one write transaction at a time, across both worker processes. Writers that clash
on nothing (other rooms, other hours) must queue behind each other (BEGIN IMMEDIATE and the
busy timeout, `engine.py`) and succeed; a writer that gives up answers 500 and logs
"database is locked". Creates, moves and cancellations run mixed, fifty in flight.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from tests.race.conftest import (
    Campus,
    Server,
    auth,
    bookings_of_room,
    connect,
    create_admin,
    open_campus,
    overlapping_active_bookings,
    start_server,
    stop,
    unexpected,
)

ROOMS = 10
STUDENTS_PER_ROOM = 5
CREATES = 200
MOVES = 30
CANCELS = 30
IN_FLIGHT = 50
FIRST = datetime(2034, 6, 5, tzinfo=UTC)
# Each kind of request has its own hours of every room: nothing clashes.
CREATE_HOURS, SEED_HOURS, MOVE_HOURS = 0, 1_000, 2_000
LOG_OF_A_FAILED_WRITE = ("database is locked", "OperationalError", "Traceback")

Request = Callable[[], Awaitable[httpx.Response]]


@pytest.fixture
def sqlite_server(sqlite_url: str, tmp_path: Path) -> Iterator[Server]:
    """A server of its own, so its log holds this test's requests only."""
    process, server = start_server(sqlite_url, tmp_path / "server.log")
    try:
        yield server
    finally:
        stop(process)


def hour(number: int) -> dict[str, str]:
    start = FIRST + timedelta(hours=number)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}


async def at_most(in_flight: int, requests: list[Request]) -> list[httpx.Response]:
    """Sends the requests `in_flight` at a time; the responses come back in the same order."""
    limit = asyncio.Semaphore(in_flight)

    async def one(send: Request) -> httpx.Response:
        async with limit:
            return await send()

    return list(await asyncio.gather(*(one(send) for send in requests)))


def booker(http: httpx.AsyncClient, campuses: list[Campus], number: int, hours: int) -> Request:
    """Booking `number` goes to room `number % ROOMS`, at hour `hours + number // ROOMS`."""
    campus = campuses[number % ROOMS]
    student = campus.students[number // ROOMS % STUDENTS_PER_ROOM]
    body = {
        "room_id": campus.room_id,
        "title": f"Booking {number}",
        **hour(hours + number // ROOMS),
    }

    async def send() -> httpx.Response:
        return await http.post("/bookings", json=body, headers=auth(student.token))

    return send


async def test_writers_on_different_rooms_and_hours_all_succeed(
    sqlite_url: str, sqlite_server: Server
) -> None:
    admin = create_admin(sqlite_url)
    async with connect(sqlite_server) as http:
        campuses = [await open_campus(http, admin, STUDENTS_PER_ROOM) for _ in range(ROOMS)]
        tokens = {s.email: s.token for c in campuses for s in c.students}

        seeded = await at_most(
            IN_FLIGHT, [booker(http, campuses, n, SEED_HOURS) for n in range(MOVES + CANCELS)]
        )
        assert Counter(r.status_code for r in seeded) == {201: MOVES + CANCELS}, unexpected(
            seeded, {201}
        )
        to_move, to_cancel = [r.json() for r in seeded[:MOVES]], [r.json() for r in seeded[MOVES:]]
        owner = {
            UUID(r.json()["id"]): tokens[c.students[n // ROOMS % STUDENTS_PER_ROOM].email]
            for n, r in enumerate(seeded)
            for c in [campuses[n % ROOMS]]
        }

        def mover(number: int, booking: dict[str, str]) -> Request:
            changes = {"title": f"Moved {number}", **hour(MOVE_HOURS + number)}
            token = owner[UUID(booking["id"])]
            return lambda: http.patch(
                f"/bookings/{booking['id']}", json=changes, headers=auth(token)
            )

        def canceller(booking: dict[str, str]) -> Request:
            token = owner[UUID(booking["id"])]
            return lambda: http.post(f"/bookings/{booking['id']}/cancel", headers=auth(token))

        kinds = (
            [("create", booker(http, campuses, n, CREATE_HOURS)) for n in range(CREATES)]
            + [("move", mover(n, b)) for n, b in enumerate(to_move)]
            + [("cancel", canceller(b)) for b in to_cancel]
        )
        random.Random(20340605).shuffle(kinds)
        responses = await at_most(IN_FLIGHT, [send for _, send in kinds])

    outcomes = Counter((kind, r.status_code) for (kind, _), r in zip(kinds, responses, strict=True))
    expected = {("create", 201): CREATES, ("move", 200): MOVES, ("cancel", 200): CANCELS}
    assert outcomes == expected, unexpected(responses, {200, 201})
    log = sqlite_server.output()
    for sign in LOG_OF_A_FAILED_WRITE:
        assert sign not in log, f"the server logged {sign!r}:\n{log}"

    # The database holds what the answers said, room by room.
    moved = {UUID(b["id"]): number for number, b in enumerate(to_move)}
    cancelled = {UUID(b["id"]) for b in to_cancel}
    total = 0
    for campus in campuses:
        rows = await bookings_of_room(sqlite_url, campus.room_id)
        total += len(rows)
        for booking_id, row in rows.items():
            if booking_id in moved:
                times = hour(MOVE_HOURS + moved[booking_id])
                assert row["title"] == f"Moved {moved[booking_id]}", row
                assert row["starts_at"] == datetime.fromisoformat(times["starts_at"]), row
            expected_status = "CANCELLED" if booking_id in cancelled else "APPROVED"
            assert row["status"] == expected_status, row
        assert await overlapping_active_bookings(sqlite_url, campus.room_id) == []
    assert total == CREATES + MOVES + CANCELS
