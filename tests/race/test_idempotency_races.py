"""Idempotency keys on a real two-worker server, SQLite and PostgreSQL: twenty identical keyed
requests at once book once, each answered the booking or a 409; and a server killed mid-burst
of keyed bookings, restarted and sent every request again with its key, ends with each
request booked exactly once, its acknowledged answer kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx

from tests.race.conftest import (
    Campus,
    Server,
    all_at_once,
    auth,
    bookings_of_room,
    connect,
    kill,
    open_campus,
    start_server,
    stop,
    unexpected,
)

ROUNDS = 5
TWINS = 20
STUDENTS = 10
REQUESTS = 120
IN_FLIGHT = 20
KILL_AFTER = 40  # acknowledged bookings, so the kill lands mid-burst
RETRIES = 20  # of a 409 while a killed server's transaction is being undone
FIRST = datetime(2034, 1, 2, tzinfo=UTC)


def request_number(campus: Campus, number: int) -> tuple[dict[str, Any], dict[str, str]]:
    """Request `number`: hour `number` from `FIRST` on, by a student in turn, with its key."""
    start = FIRST + timedelta(hours=number)
    body = {
        "room_id": campus.room_id,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "title": f"Keyed {number}",
    }
    student = campus.students[number % len(campus.students)]
    return body, {**auth(student.token), "Idempotency-Key": f"{campus.room_id}-{number}"}


async def test_twenty_identical_keyed_requests_at_once_book_once(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    campus = await open_campus(http, admin, 1)

    for round_number in range(ROUNDS):
        body, headers = request_number(campus, round_number)
        send = partial(http.post, "/bookings", json=body, headers=headers)
        answers = await all_at_once([send] * TWINS)

        statuses = {answer.status_code for answer in answers}
        assert statuses <= {201, 409}, unexpected(answers, {201, 409})
        made = [a for a in answers if a.status_code == 201]
        assert made, "no twin got the booking"
        assert len({a.content for a in made}) == 1  # the first answer, replayed to the rest
        assert sum("Idempotent-Replayed" not in a.headers for a in made) <= 1
        for answer in answers:
            if answer.status_code == 409:
                assert answer.headers["Retry-After"] == "1", answer.text
    rows = await bookings_of_room(server.database_url, campus.room_id)
    assert sorted(row["title"] for row in rows.values()) == [f"Keyed {n}" for n in range(ROUNDS)]


async def burst_then_kill(
    http: httpx.AsyncClient, campus: Campus, kill_server: Any
) -> dict[int, dict[str, Any]]:
    """Every request, `IN_FLIGHT` at a time, until the `KILL_AFTER`th 201 kills the server;
    the acknowledged answers by request number."""
    acknowledged: dict[int, dict[str, Any]] = {}
    numbers = iter(range(REQUESTS))
    killed = False

    async def sender() -> None:
        nonlocal killed
        for number in numbers:  # one iterator shared by every sender
            if killed:
                return
            body, headers = request_number(campus, number)
            try:
                response = await http.post("/bookings", json=body, headers=headers)
            except httpx.TransportError:
                continue  # cut off by the kill
            assert response.status_code == 201, response.text
            acknowledged[number] = response.json()
            if len(acknowledged) == KILL_AFTER and not killed:
                killed = True
                kill_server()

    await asyncio.gather(*(sender() for _ in range(IN_FLIGHT)))
    return acknowledged


async def retry(http: httpx.AsyncClient, campus: Campus, number: int) -> httpx.Response:
    """As a client would: again on a 409 (a twin still running) after its Retry-After."""
    body, headers = request_number(campus, number)
    for _ in range(RETRIES):
        response = await http.post("/bookings", json=body, headers=headers)
        if response.status_code != 409:
            return response
        await asyncio.sleep(int(response.headers["Retry-After"]))
    return response


async def test_killed_mid_burst_every_keyed_request_retried_books_once(
    race_database_url: str, admin: str, tmp_path: Path
) -> None:
    process, server = start_server(race_database_url, tmp_path / "before-the-crash.log")
    try:
        async with connect(server) as http:
            campus = await open_campus(http, admin, STUDENTS)
            acknowledged = await burst_then_kill(http, campus, lambda: kill(process))
    finally:
        stop(process)
    assert len(acknowledged) >= KILL_AFTER
    assert len(acknowledged) < REQUESTS, "the burst finished before the kill"

    process, server = start_server(race_database_url, tmp_path / "after-the-crash.log")
    try:
        async with connect(server) as http:
            limit = asyncio.Semaphore(IN_FLIGHT)

            async def one(number: int) -> httpx.Response:
                async with limit:
                    return await retry(http, campus, number)

            answers = await asyncio.gather(*(one(number) for number in range(REQUESTS)))
    finally:
        stop(process)

    assert {answer.status_code for answer in answers} == {201}, unexpected(answers, {201})
    for number, body in acknowledged.items():
        assert answers[number].json() == body, number  # the answer the client had, again
        assert answers[number].headers["Idempotent-Replayed"] == "true"
    rows = await bookings_of_room(race_database_url, campus.room_id)
    titles = sorted(row["title"] for row in rows.values())
    assert titles == sorted(f"Keyed {n}" for n in range(REQUESTS))  # none lost, none twice
    assert {UUID(answer.json()["id"]) for answer in answers} == set(rows)
