"""A server killed mid-burst loses no acknowledged booking and leaves SQLite whole.

A 201 tells a student the room is theirs; a crash (SIGKILL, the OOM killer) right after must
not take that back. On SQLite that rests on WAL with `synchronous=NORMAL` and on answering only
after the commit (`engine.py`, `CreateBooking`). The test kills the whole process group while
twenty bookings are in flight, then reads the file itself and serves it again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import httpx
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.tables import bookings, users
from tests.race.conftest import (
    Campus,
    auth,
    bookings_of_room,
    connect,
    create_admin,
    kill,
    login,
    open_campus,
    overlapping_active_bookings,
    start_server,
    stop,
)

STUDENTS = 20
BOOKINGS = 300
IN_FLIGHT = 20
KILL_AFTER = 60  # acknowledged bookings, so the kill lands mid-burst
FIRST = datetime(2033, 1, 3, tzinfo=UTC)
REQUIRED = ("id", "room_id", "requester_id", "starts_at", "ends_at", "title", "attendees")
REQUIRED += ("status", "created_at")
COMPARED = (*REQUIRED, "decided_by", "decided_at", "decision_reason")


@dataclass
class Burst:
    acknowledged: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    cut_off: list[str] = field(default_factory=list)  # transport errors: the kill
    refused: list[httpx.Response] = field(default_factory=list)  # any other answer than 201


def request_number(number: int) -> dict[str, str]:
    """Request `number` asks for hour `number` from `FIRST` on: no two of them overlap."""
    start = FIRST + timedelta(hours=number)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "title": f"Crash burst {number}",
    }


async def fire_and_kill(
    http: httpx.AsyncClient, campus: Campus, kill_server: Callable[[], None]
) -> Burst:
    """`BOOKINGS` requests, `IN_FLIGHT` at a time; the group dies at the `KILL_AFTER`th 201.

    Every 201 that arrives counts, even after the signal: the server sent it before it died.
    """
    burst = Burst()
    numbers = iter(range(BOOKINGS))
    killed = False

    async def sender() -> None:
        nonlocal killed
        for number in numbers:  # one iterator shared by every sender
            if killed:
                return
            student = campus.students[number % STUDENTS]
            try:
                response = await http.post(
                    "/bookings",
                    json={"room_id": campus.room_id, **request_number(number)},
                    headers=auth(student.token),
                )
            except httpx.TransportError as error:
                burst.cut_off.append(f"request {number}: {error!r}")
                continue
            if response.status_code != 201:
                burst.refused.append(response)
                continue
            burst.acknowledged[UUID(response.json()["id"])] = response.json()
            if len(burst.acknowledged) == KILL_AFTER and not killed:
                killed = True
                kill_server()

    await asyncio.gather(*(sender() for _ in range(IN_FLIGHT)))
    return burst


def expected_row(body: dict[str, Any]) -> dict[str, Any]:
    """The row an acknowledged booking must have, from the 201's body."""

    def uuid(value: str | None) -> UUID | None:
        return None if value is None else UUID(value)

    def instant(value: str | None) -> datetime | None:
        return None if value is None else datetime.fromisoformat(value)

    return {
        **{name: body[name] for name in ("title", "attendees", "status", "decision_reason")},
        **{name: uuid(body[name]) for name in ("id", "room_id", "requester_id", "decided_by")},
        **{name: instant(body[name]) for name in ("starts_at", "ends_at", "decided_at")},
        "created_at": instant(body["created_at"]),
    }


class FileState(NamedTuple):
    integrity: str  # "ok" when whole
    foreign_key_faults: list[Any]
    half_written: int  # bookings with a NULL where a value is required, or ends before starts
    user_ids: dict[str, UUID]  # by email


async def read_back(database_url: str) -> FileState:
    """The file as SQLite sees it after the crash, read the way the race tests read it."""
    half_written = sa.or_(
        *(bookings.c[name].is_(None) for name in REQUIRED),
        bookings.c.starts_at >= bookings.c.ends_at,  # fixed-width UTC text: compares as time
    )
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            integrity = [
                row[0] for row in await connection.exec_driver_sql("PRAGMA integrity_check")
            ]
            foreign_keys = list(await connection.exec_driver_sql("PRAGMA foreign_key_check"))
            half = await connection.scalar(
                sa.select(sa.func.count()).select_from(bookings).where(half_written)
            )
            emails = {row.email: row.id for row in await connection.execute(sa.select(users))}
    finally:
        await engine.dispose()
    return FileState("\n".join(integrity), foreign_keys, int(half or 0), emails)


async def test_sigkill_mid_burst_loses_no_acknowledged_booking_and_leaves_sqlite_whole(
    sqlite_url: str, tmp_path: Path
) -> None:
    admin = create_admin(sqlite_url)
    process, server = start_server(sqlite_url, tmp_path / "before-the-crash.log")
    try:
        async with connect(server) as http:
            campus = await open_campus(http, admin, STUDENTS)
            burst = await fire_and_kill(http, campus, lambda: kill(process))
    finally:
        stop(process)

    # None was refused, and the kill landed mid-burst: requests in flight were cut off.
    assert not burst.refused, [f"{r.status_code}: {r.text}" for r in burst.refused]
    assert len(burst.acknowledged) >= KILL_AFTER
    assert burst.cut_off, "the burst finished before the kill: nothing was in flight"

    state = await read_back(sqlite_url)
    assert state.integrity == "ok"
    assert state.foreign_key_faults == []
    assert state.half_written == 0

    rows = await bookings_of_room(sqlite_url, campus.room_id)
    lost = [str(booking_id) for booking_id in burst.acknowledged if booking_id not in rows]
    assert lost == [], f"{len(lost)} acknowledged bookings are gone after the crash: {lost}"
    for booking_id, body in burst.acknowledged.items():
        row = {name: rows[booking_id][name] for name in COMPARED}
        assert row == expected_row(body), booking_id

    # Rows nobody acknowledged may exist (committed, then killed before the answer), but each
    # must be one request exactly as it was sent.
    sent = {request_number(number)["title"]: number for number in range(BOOKINGS)}
    for row in rows.values():
        assert row["title"] in sent, row
        number = sent[row["title"]]
        times = request_number(number)
        requester = campus.students[number % STUDENTS].email
        assert row["requester_id"] == state.user_ids[requester], row
        assert row["starts_at"] == datetime.fromisoformat(times["starts_at"]), row
        assert row["ends_at"] == datetime.fromisoformat(times["ends_at"]), row
        assert row["status"] == "APPROVED", row
    assert len(rows) == len({row["title"] for row in rows.values()})
    assert await overlapping_active_bookings(sqlite_url, campus.room_id) == []

    # A new server on the same file serves it: ready, and books again.
    process, server = start_server(sqlite_url, tmp_path / "after-the-crash.log")
    try:
        async with connect(server) as http:
            ready = await http.get("/health/ready")
            assert ready.status_code == 200, ready.text
            after = await http.post(
                "/bookings",
                json={"room_id": campus.room_id, **request_number(BOOKINGS)},
                headers=auth(campus.students[0].token),
            )
            assert after.status_code == 201, after.text
            listed = await http.get(
                "/bookings",
                params={"room_id": campus.room_id, "limit": 1},
                headers=auth(await login(http, admin)),
            )
            assert listed.status_code == 200, listed.text
            assert listed.json()["total"] == len(rows) + 1
    finally:
        stop(process)
