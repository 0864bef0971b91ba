"""`Idempotency-Key` over HTTP, on SQLite and PostgreSQL: a repeat gets the first answer and
changes nothing; another request with the key is a 422; a twin while the first runs is a 409;
a refused request keeps no answer; keys are per user and expire after 24 hours."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from campus_booking.adapters.database.tables import idempotency_keys
from campus_booking.container import Container
from tests.e2e import both_databases
from tests.e2e.actors import NOW, Actor, Actors, at, book, booking_body, create_room
from tests.e2e.conftest import assert_problem

container = both_databases.container
client = both_databases.client

KEY = "3f2b8c1e-booking-retry"


@pytest.fixture
async def room(client: httpx.AsyncClient, staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff, "Seminar 1")


@pytest.fixture
async def approval_room(client: httpx.AsyncClient, staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff, "Council Chamber", requires_approval=True)


def keyed(actor: Actor, key: str = KEY) -> dict[str, str]:
    return {**actor.headers, "Idempotency-Key": key}


async def stored_keys(container: Container) -> int:
    """Every record of every user, read past the API."""
    async with container.engine().connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(idempotency_keys))
    return int(count or 0)


async def bookings_total(client: httpx.AsyncClient, staff: Actor) -> int:
    listed = await client.get("/bookings", headers=staff.headers)
    assert listed.status_code == 200, listed.text
    total: int = listed.json()["total"]
    return total


# --- a repeat is answered again -------------------------------------------------------------


async def test_a_repeated_booking_gets_the_first_answer_and_books_once(
    client: httpx.AsyncClient, student: Actor, staff: Actor, room: dict[str, Any]
) -> None:
    body = booking_body(room["id"], at(10), at(11))

    first = await client.post("/bookings", json=body, headers=keyed(student))
    again = await client.post("/bookings", json=body, headers=keyed(student))

    assert first.status_code == again.status_code == 201, (first.text, again.text)
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["content-type"] == first.headers["content-type"]
    assert await bookings_total(client, staff) == 1


async def test_a_repeat_replays_the_first_answer_even_after_the_booking_changed(
    client: httpx.AsyncClient, student: Actor, staff: Actor, approval_room: dict[str, Any]
) -> None:
    body = booking_body(approval_room["id"], at(10), at(11))
    first = await client.post("/bookings", json=body, headers=keyed(student))
    assert first.json()["status"] == "PENDING", first.text
    approved = await client.post(
        f"/bookings/{first.json()['id']}/approve", json={}, headers=staff.headers
    )
    assert approved.json()["status"] == "APPROVED", approved.text

    again = await client.post("/bookings", json=body, headers=keyed(student))

    assert again.status_code == 201
    assert again.json() == first.json()  # the answer given then, PENDING


async def test_without_a_key_a_repeat_books_again_or_clashes(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    """The contrast: what the key saves a client from."""
    body = booking_body(room["id"], at(10), at(11))
    assert (await client.post("/bookings", json=body, headers=student.headers)).status_code == 201

    again = await client.post("/bookings", json=body, headers=student.headers)

    assert_problem(again, 409)


async def test_a_repeated_cancel_is_answered_again_instead_of_refused(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(10), at(11))
    url = f"/bookings/{booking['id']}/cancel"

    first = await client.post(url, headers=keyed(student))
    again = await client.post(url, headers=keyed(student))
    unkeyed = await client.post(url, headers=student.headers)

    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(unkeyed, 409)  # cancelled already


@pytest.mark.parametrize(("action", "body"), [("approve", {}), ("reject", {"reason": "Exams"})])
async def test_a_repeated_decision_is_answered_again(
    client: httpx.AsyncClient,
    student: Actor,
    staff: Actor,
    approval_room: dict[str, Any],
    action: str,
    body: dict[str, Any],
) -> None:
    booking = await book(client, student, approval_room["id"], at(10), at(11))
    url = f"/bookings/{booking['id']}/{action}"

    first = await client.post(url, json=body, headers=keyed(staff))
    again = await client.post(url, json=body, headers=keyed(staff))

    assert first.status_code == again.status_code == 200, first.text
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_a_repeated_closure_closes_once(
    client: httpx.AsyncClient, staff: Actor, room: dict[str, Any]
) -> None:
    body = {
        "room_ids": [room["id"]],
        "starts_at": at(0, day=5).isoformat(),
        "ends_at": at(0, day=6).isoformat(),
        "reason": "Renovation",
    }

    first = await client.post("/closures", json=body, headers=keyed(staff))
    again = await client.post("/closures", json=body, headers=keyed(staff))

    assert first.status_code == again.status_code == 201, first.text
    assert again.content == first.content
    listed = await client.get("/closures", headers=staff.headers)
    assert listed.json()["total"] == 1


# --- what a key may not do ------------------------------------------------------------------


async def test_the_same_key_with_another_body_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, student: Actor, staff: Actor, room: dict[str, Any]
) -> None:
    first = await client.post(
        "/bookings", json=booking_body(room["id"], at(10), at(11)), headers=keyed(student)
    )
    assert first.status_code == 201, first.text

    other = await client.post(
        "/bookings", json=booking_body(room["id"], at(12), at(13)), headers=keyed(student)
    )

    problem = assert_problem(other, 422)
    assert [(v["code"], v["field"]) for v in problem["violations"]] == [
        ("idempotency_key_reused", "Idempotency-Key")
    ]
    assert await bookings_total(client, staff) == 1


async def test_the_same_key_on_another_path_is_refused(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    one = await book(client, student, room["id"], at(10), at(11))
    two = await book(client, student, room["id"], at(12), at(13))
    cancelled = await client.post(f"/bookings/{one['id']}/cancel", headers=keyed(student))
    assert cancelled.status_code == 200, cancelled.text

    other = await client.post(f"/bookings/{two['id']}/cancel", headers=keyed(student))

    assert_problem(other, 422)
    kept = await client.get(f"/bookings/{two['id']}", headers=student.headers)
    assert kept.json()["status"] == "APPROVED"


async def test_keys_belong_to_their_user(
    client: httpx.AsyncClient, student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    mine = await client.post(
        "/bookings", json=booking_body(room["id"], at(10), at(11)), headers=keyed(student)
    )
    theirs = await client.post(
        "/bookings", json=booking_body(room["id"], at(12), at(13)), headers=keyed(other)
    )

    assert mine.status_code == theirs.status_code == 201, theirs.text
    assert "Idempotent-Replayed" not in theirs.headers
    assert theirs.json()["requester_id"] == str(other.id)


@pytest.mark.parametrize(
    "key",
    ["", "with space", "tab\there", "é".encode("latin-1"), "k" * 256],
    ids=["empty", "space", "control", "non-ascii", "too-long"],
)
async def test_a_malformed_key_is_a_400_naming_the_header(
    client: httpx.AsyncClient, student: Actor, staff: Actor, room: dict[str, Any], key: Any
) -> None:
    headers = {**student.headers, "Idempotency-Key": key}

    response = await client.post(
        "/bookings", json=booking_body(room["id"], at(10), at(11)), headers=headers
    )

    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == ["Idempotency-Key"]
    assert await bookings_total(client, staff) == 0


async def test_the_longest_key_is_taken(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    key = "!" + "~" * 254
    body = booking_body(room["id"], at(10), at(11))

    first = await client.post("/bookings", json=body, headers=keyed(student, key))
    again = await client.post("/bookings", json=body, headers=keyed(student, key))

    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["Idempotent-Replayed"] == "true"


# --- what is kept, and for how long -------------------------------------------------------------


async def test_a_refused_request_keeps_no_answer_and_runs_again_when_retried(
    client: httpx.AsyncClient,
    student: Actor,
    other: Actor,
    room: dict[str, Any],
    container: Container,
) -> None:
    held = await book(client, other, room["id"], at(10), at(11))
    body = booking_body(room["id"], at(10), at(11))

    refused = await client.post("/bookings", json=body, headers=keyed(student))
    assert_problem(refused, 409)
    assert await stored_keys(container) == 0
    await client.post(f"/bookings/{held['id']}/cancel", headers=other.headers)

    retried = await client.post("/bookings", json=body, headers=keyed(student))

    assert retried.status_code == 201, retried.text
    assert "Idempotent-Replayed" not in retried.headers


async def test_a_key_expires_after_24_hours_and_then_runs_again(
    client: httpx.AsyncClient,
    actors: Actors,
    student: Actor,
    room: dict[str, Any],
    container: Container,
) -> None:
    body = booking_body(room["id"], at(10), at(11))
    first = await client.post("/bookings", json=body, headers=keyed(student))
    assert first.status_code == 201, first.text

    await actors.travel(NOW + timedelta(hours=23, minutes=59), student)
    replayed = await client.post("/bookings", json=body, headers=keyed(student))
    await actors.travel(NOW + timedelta(hours=24), student)
    ran_again = await client.post("/bookings", json=body, headers=keyed(student))

    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert_problem(ran_again, 409)  # it ran: the first booking holds the slot
    assert "Idempotent-Replayed" not in ran_again.headers


async def test_an_expired_key_is_taken_for_a_new_request_and_its_record_replaced(
    client: httpx.AsyncClient,
    actors: Actors,
    student: Actor,
    room: dict[str, Any],
    container: Container,
) -> None:
    for hour, key in ((10, "old-1"), (12, "old-2")):
        body = booking_body(room["id"], at(hour), at(hour + 1))
        assert (await client.post("/bookings", json=body, headers=keyed(student, key))).is_success
    assert await stored_keys(container) == 2

    await actors.travel(NOW + timedelta(days=1, minutes=1), student)
    body = booking_body(room["id"], at(14), at(15))
    reused = await client.post("/bookings", json=body, headers=keyed(student, "old-1"))

    assert reused.status_code == 201, reused.text  # a new request under the expired key
    assert "Idempotent-Replayed" not in reused.headers
    assert await stored_keys(container) == 2  # old-2 stays until `campus-booking purge-keys`
    again = await client.post("/bookings", json=body, headers=keyed(student, "old-1"))
    assert again.headers["Idempotent-Replayed"] == "true"


async def test_identical_keyed_requests_at_once_book_once(
    client: httpx.AsyncClient, student: Actor, staff: Actor, room: dict[str, Any]
) -> None:
    """Each is answered the booking (first or replayed) or, while it is being made, a 409."""
    body = booking_body(room["id"], at(10), at(11))

    answers = await asyncio.gather(
        *(client.post("/bookings", json=body, headers=keyed(student)) for _ in range(5))
    )

    made = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers]
    assert len(made) == 1, [a.text for a in answers]
    for answer in answers:
        if answer.status_code == 201:
            assert answer.content == made[0].content
        else:
            assert_problem(answer, 409)
            assert answer.headers["Retry-After"] == "1"
    assert await bookings_total(client, staff) == 1


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_twin_arriving_while_the_first_runs_is_a_409_with_retry_after(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any], container: Container
) -> None:
    """A transaction holding the key stands in for the first request. PostgreSQL only: SQLite
    runs one writer at a time, so there a twin waits its turn and replays (the test above)."""
    body = booking_body(room["id"], at(10), at(11))
    async with container.uow() as uow:
        assert await uow.idempotency_keys.hold(student.id, KEY) is None

        twin = await client.post("/bookings", json=body, headers=keyed(student))

    problem = assert_problem(twin, 409)
    assert twin.headers["Retry-After"] == "1"
    assert "still being processed" in problem["detail"]
    after = await client.post("/bookings", json=body, headers=keyed(student))
    assert after.status_code == 201, after.text


# --- series -----------------------------------------------------------------------------------


def weekly(room: dict[str, Any], hour: int = 10) -> dict[str, Any]:
    return {
        "room_id": room["id"],
        "title": "Lecture",
        "starts_at": at(hour, day=8).isoformat(),
        "ends_at": at(hour + 1, day=8).isoformat(),
        "recurrence": "FREQ=WEEKLY;COUNT=3",
    }


async def test_a_repeated_series_is_made_once(
    client: httpx.AsyncClient, student: Actor, staff: Actor, room: dict[str, Any]
) -> None:
    first = await client.post("/booking-series", json=weekly(room), headers=keyed(student))
    again = await client.post("/booking-series", json=weekly(room), headers=keyed(student))
    other = await client.post("/booking-series", json=weekly(room, 14), headers=keyed(student))

    assert first.status_code == again.status_code == 201, first.text
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(other, 422)
    assert await bookings_total(client, staff) == 3


@pytest.mark.parametrize(
    ("action", "body"),
    [("cancel", None), ("approve", {}), ("reject", {"reason": "Exams"})],
)
async def test_a_repeated_series_action_is_answered_again(
    client: httpx.AsyncClient,
    student: Actor,
    staff: Actor,
    approval_room: dict[str, Any],
    action: str,
    body: dict[str, Any] | None,
) -> None:
    made = await client.post("/booking-series", json=weekly(approval_room), headers=student.headers)
    assert made.status_code == 201, made.text
    url = f"/booking-series/{made.json()['id']}/{action}"
    actor = student if action == "cancel" else staff

    first = await client.post(url, json=body, headers=keyed(actor))
    again = await client.post(url, json=body, headers=keyed(actor))
    unkeyed = await client.post(url, json=body, headers=actor.headers)

    assert first.status_code == again.status_code == 200, first.text
    assert again.content == first.content
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_problem(unkeyed, 409)  # nothing is left to do: the key spared the client this
