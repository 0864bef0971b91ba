"""No interleaving of closure and booking writers leaves an active booking in a closure.

A real `campus-booking serve --workers 2`, once on SQLite and once on PostgreSQL: each round
sends, at the same moment, closures of one room (one refusing and one cancelling what is in
its way), new bookings of that room and moves of its other bookings into the closed hours.
Then the database itself is read: no active booking of the room overlaps any of its closures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import UUID

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.tables import bookings, closures
from tests.race.conftest import (
    ACTIVE,
    Campus,
    Server,
    Student,
    all_at_once,
    auth,
    login,
    open_campus,
    overlapping_active_bookings,
    unexpected,
)

ROUNDS = 5
BOOKERS = 10
MOVERS = 4


def hour_slot(start: datetime, hours: float = 1) -> dict[str, str]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
    }


async def book(
    client: httpx.AsyncClient, campus: Campus, student: Student, times: dict[str, str]
) -> httpx.Response:
    return await client.post(
        "/bookings",
        json={"room_id": campus.room_id, "title": "Study group", **times},
        headers=auth(student.token),
    )


async def close(
    client: httpx.AsyncClient, campus: Campus, token: str, times: dict[str, str], *, cancel: bool
) -> httpx.Response:
    return await client.post(
        "/closures",
        json={
            "room_ids": [campus.room_id],
            "reason": "Burst pipe",
            "cancel_conflicting": cancel,
            **times,
        },
        headers=auth(token),
    )


async def bookings_in_closures(database_url: str, room_id: str) -> list[tuple[UUID, UUID]]:
    """(booking, closure) pairs of the room where an active booking overlaps the closure."""
    query = select(bookings.c.id, closures.c.id).where(
        bookings.c.room_id == UUID(room_id),
        closures.c.room_id == bookings.c.room_id,
        bookings.c.status.in_(ACTIVE),
        bookings.c.starts_at < closures.c.ends_at,
        closures.c.starts_at < bookings.c.ends_at,
    )
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return [(row[0], row[1]) for row in await connection.execute(query)]
    finally:
        await engine.dispose()


async def closures_of_room(database_url: str, room_id: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(closures.c.id).where(closures.c.room_id == UUID(room_id))
            )
            return len(rows.all())
    finally:
        await engine.dispose()


async def test_closures_and_bookings_of_one_room_at_once_never_overlap(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, BOOKERS + MOVERS)
    admin_token = await login(http, admin)
    bookers, movers = campus.students[:BOOKERS], campus.students[BOOKERS:]
    outcomes: Counter[str] = Counter()

    for round_number in range(ROUNDS):
        day = datetime(2033, 5, 2, 8, tzinfo=UTC) + timedelta(days=2 * round_number)
        parked: list[tuple[Student, str]] = []
        for number, student in enumerate(movers):  # the next day, out of every closure's way
            created = await book(
                http, campus, student, hour_slot(day + timedelta(hours=24 + number))
            )
            assert created.status_code == 201, created.text
            parked.append((student, created.json()["id"]))

        requests: list[Callable[[], Awaitable[httpx.Response]]] = [
            # Ten one-hour bookings back to back, 08:00 to 18:00: apart, they never clash.
            partial(book, http, campus, student, hour_slot(day + timedelta(hours=number)))
            for number, student in enumerate(bookers)
        ]
        requests += [
            partial(
                http.patch,
                f"/bookings/{booking_id}",
                json=hour_slot(day + timedelta(hours=2 * number, minutes=30)),
                headers=auth(student.token),
            )
            for number, (student, booking_id) in enumerate(parked)
        ]
        requests += [
            partial(close, http, campus, admin_token, hour_slot(day, 5), cancel=False),
            partial(
                close,
                http,
                campus,
                admin_token,
                hour_slot(day + timedelta(hours=4), 6),
                cancel=True,
            ),
        ]
        responses = await all_at_once(requests)

        assert all(r.status_code in {200, 201, 409} for r in responses), unexpected(
            responses, {200, 201, 409}
        )
        for response in responses:
            outcomes[f"{response.request.method} {response.status_code}"] += 1
            if response.status_code == 409:
                check_conflicts(response)

    assert await bookings_in_closures(server.database_url, campus.room_id) == []
    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    # The cancelling closure always gets through; the refusing one when it came first.
    assert await closures_of_room(server.database_url, campus.room_id) >= ROUNDS
    print(outcomes)


def check_conflicts(response: httpx.Response) -> None:
    """A refused closure lists the bookings in its way; a refused booking names what is in its
    way: closures with their reason, bookings by their times alone."""
    conflicts = response.json()["conflicts"]
    assert conflicts, response.text
    if response.request.url.path == "/closures":
        assert all(c["kind"] == "booking" and "booking_id" in c for c in conflicts), response.text
        return
    for conflict in conflicts:
        if conflict["kind"] == "closure":
            assert conflict["reason"] == "Burst pipe", response.text
        else:
            assert set(conflict) == {"starts_at", "ends_at", "kind"}, response.text
