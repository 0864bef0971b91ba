"""The database refuses a double booking, whichever server process the requests reach.

Every test runs a real `campus-booking serve --workers 2`, once on SQLite and once on
PostgreSQL, sends its requests over HTTP and then checks the database itself.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import httpx

from tests.race.conftest import (
    Campus,
    Server,
    Student,
    all_at_once,
    auth,
    bookings_of_room,
    conflicts_of,
    open_campus,
    overlapping_active_bookings,
    times_of,
    unexpected,
)

RACERS = 50
ROUNDS = 5
MOVERS = 30


def slot(start: datetime, minutes: int = 60) -> dict[str, str]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
    }


async def book(
    client: httpx.AsyncClient, campus: Campus, student: Student, times: dict[str, str]
) -> httpx.Response:
    return await client.post(
        "/bookings",
        json={"room_id": campus.room_id, "title": "Study group", **times},
        headers=auth(student.token),
    )


async def test_fifty_users_book_one_slot_at_once(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, RACERS)

    for round_number in range(ROUNDS):
        nine = datetime(2031, 3, 3, 9, tzinfo=UTC) + timedelta(days=round_number)
        # Starts 0..30 minutes apart, each an hour long: every two of them overlap.
        requests = [
            partial(book, http, campus, student, slot(nine + timedelta(minutes=number % 31)))
            for number, student in enumerate(campus.students)
        ]
        responses = await all_at_once(requests)

        statuses = Counter(response.status_code for response in responses)
        assert statuses == {201: 1, 409: RACERS - 1}, unexpected(responses, {409})
        (winner,) = [times_of(r.json()) for r in responses if r.status_code == 201]
        for loser in (r for r in responses if r.status_code == 409):
            assert conflicts_of(loser.json()) == [winner], loser.text

    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    assert len(await bookings_of_room(server.database_url, campus.room_id)) == ROUNDS


async def test_thirty_users_move_their_bookings_into_one_slot_at_once(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, MOVERS)
    first = datetime(2032, 1, 5, 8, tzinfo=UTC)
    originals: dict[UUID, dict[str, Any]] = {}
    for number, student in enumerate(campus.students):
        created = await book(http, campus, student, slot(first + timedelta(hours=2 * number)))
        assert created.status_code == 201, created.text
        originals[UUID(created.json()["id"])] = created.json()

    target = slot(datetime(2032, 2, 2, 14, tzinfo=UTC))
    requests = [
        partial(http.patch, f"/bookings/{booking_id}", json=target, headers=auth(student.token))
        for booking_id, student in zip(originals, campus.students, strict=True)
    ]
    responses = await all_at_once(requests)

    statuses = Counter(response.status_code for response in responses)
    assert statuses == {200: 1, 409: MOVERS - 1}, unexpected(responses, {409})
    (moved,) = [r.json() for r in responses if r.status_code == 200]
    assert times_of(moved) == times_of(target)
    for loser in (r for r in responses if r.status_code == 409):
        assert conflicts_of(loser.json()) == [times_of(target)], loser.text

    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    rows = await bookings_of_room(server.database_url, campus.room_id)
    assert rows.keys() == originals.keys()
    for booking_id, original in originals.items():
        row = rows[booking_id]
        expected = target if booking_id == UUID(moved["id"]) else original
        assert (row["starts_at"], row["ends_at"]) == times_of(expected), booking_id
        assert row["status"] == original["status"] == "APPROVED"


async def test_adjacent_bookings_both_succeed(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, 2)
    ana, ben = campus.students

    ten_to_eleven = {"starts_at": "2031-09-01T10:00:00Z", "ends_at": "2031-09-01T11:00:00Z"}
    eleven_to_noon = {"starts_at": "2031-09-01T11:00:00Z", "ends_at": "2031-09-01T12:00:00Z"}
    first = await book(http, campus, ana, ten_to_eleven)
    second = await book(http, campus, ben, eleven_to_noon)

    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    assert len(await bookings_of_room(server.database_url, campus.room_id)) == 2


async def test_the_same_instant_in_another_utc_offset_overlaps(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, 3)
    ana, ben, cem = campus.students

    first = await book(
        http, campus, ana, {"starts_at": "2031-09-01T10:00:00Z", "ends_at": "2031-09-01T11:00:00Z"}
    )
    # 10:30Z to 11:30Z, written an hour east of UTC.
    clash = await book(
        http,
        campus,
        ben,
        {"starts_at": "2031-09-01T11:30:00+01:00", "ends_at": "2031-09-01T12:30:00+01:00"},
    )
    # 11:00Z to 12:00Z: starts as the first ends, so it fits.
    after = await book(
        http,
        campus,
        cem,
        {"starts_at": "2031-09-01T12:00:00+01:00", "ends_at": "2031-09-01T13:00:00+01:00"},
    )

    assert first.status_code == 201, first.text
    assert clash.status_code == 409, clash.text
    ten, eleven = datetime(2031, 9, 1, 10, tzinfo=UTC), datetime(2031, 9, 1, 11, tzinfo=UTC)
    assert conflicts_of(clash.json()) == [(ten, eleven)]
    assert after.status_code == 201, after.text
    assert times_of(after.json()) == (eleven, eleven + timedelta(hours=1))
    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    assert len(await bookings_of_room(server.database_url, campus.room_id)) == 2
