"""Two students create overlapping series at once, on a real two-worker server, SQLite and
PostgreSQL: never two active bookings overlap, and each series is whole or, with "skip",
exactly its bookable occurrences."""

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
    open_campus,
    overlapping_active_bookings,
    unexpected,
)

ROUNDS = 5
WEEKLY = 8  # occurrences of the weekly series: within a student's 20 upcoming bookings
DAILY = 14  # of the daily one, which meets two of the weekly's Mondays


def series(campus: Campus, start: datetime, rule: str, on_conflict: str) -> dict[str, Any]:
    return {
        "room_id": campus.room_id,
        "title": "Tutorial",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "recurrence": rule,
        "on_conflict": on_conflict,
    }


async def create(
    client: httpx.AsyncClient, student: Student, body: dict[str, Any]
) -> httpx.Response:
    return await client.post("/booking-series", json=body, headers=auth(student.token))


def monday(round_number: int) -> datetime:
    """Far enough apart that the rounds never meet."""
    return datetime(2031, 3, 3, 9, tzinfo=UTC) + timedelta(weeks=(WEEKLY + 1) * round_number)


async def test_two_overlapping_series_at_once_one_is_whole_and_the_other_refused(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, 2 * ROUNDS)

    for round_number in range(ROUNDS):
        nine = monday(round_number)
        first, second = campus.students[2 * round_number : 2 * round_number + 2]
        weekly = f"FREQ=WEEKLY;COUNT={WEEKLY}"
        responses = await all_at_once(
            [
                partial(create, http, first, series(campus, nine, weekly, "fail")),
                partial(
                    create,
                    http,
                    second,
                    series(campus, nine + timedelta(minutes=30), weekly, "fail"),
                ),
            ]
        )

        statuses = Counter(response.status_code for response in responses)
        assert statuses == {201: 1, 409: 1}, unexpected(responses, {201, 409})
        (winner,) = [r.json() for r in responses if r.status_code == 201]
        (loser,) = [r.json() for r in responses if r.status_code == 409]
        assert len(winner["occurrences"]) == WEEKLY
        assert winner["skipped"] == []
        assert len(loser["occurrences"]) == WEEKLY  # every one of them is in the way

    stored = await bookings_of_room(server.database_url, campus.room_id)
    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    assert len(stored) == ROUNDS * WEEKLY


async def test_two_series_that_skip_each_hold_exactly_their_bookable_occurrences(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, 2 * ROUNDS)

    created: list[dict[str, Any]] = []
    for round_number in range(ROUNDS):
        nine = monday(round_number)
        first, second = campus.students[2 * round_number : 2 * round_number + 2]
        responses = await all_at_once(
            [
                partial(
                    create, http, first, series(campus, nine, f"FREQ=WEEKLY;COUNT={WEEKLY}", "skip")
                ),
                partial(
                    create,
                    http,
                    second,
                    series(
                        campus, nine + timedelta(minutes=30), f"FREQ=DAILY;COUNT={DAILY}", "skip"
                    ),
                ),
            ]
        )

        assert [r.status_code for r in responses] == [201, 201], unexpected(responses, {201})
        weekly, daily = (r.json() for r in responses)
        # Whichever came second skipped exactly the two Mondays the other holds.
        skipped = sorted([len(weekly["skipped"]), len(daily["skipped"])])
        assert skipped == [0, 2], (weekly["skipped"], daily["skipped"])
        assert len(weekly["occurrences"]) + len(weekly["skipped"]) == WEEKLY
        assert len(daily["occurrences"]) + len(daily["skipped"]) == DAILY
        created += [weekly, daily]

    stored = await bookings_of_room(server.database_url, campus.room_id)
    assert await overlapping_active_bookings(server.database_url, campus.room_id) == []
    by_series = Counter(row["series_id"] for row in stored.values())
    assert by_series == {UUID(s["id"]): len(s["occurrences"]) for s in created}
