"""Campus-wide limits over HTTP, on SQLite and PostgreSQL: 422 with every broken rule and its
reason code; deactivating a user cancels their upcoming bookings when asked to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from campus_booking.domain.bookings import BookingStatus
from tests.conftest import test_settings as settings_for
from tests.e2e import both_databases
from tests.e2e.actors import NOW, Actor, at, book, booking_body, create_room, stored_bookings
from tests.e2e.conftest import assert_problem

LIMIT = 3


@pytest.fixture
def container(database_url: str) -> Iterator[Container]:
    """The real container on each database, with a small limit per student."""
    container = Container()
    settings = replace(settings_for(database_url), max_active_bookings_per_student=LIMIT)
    container.settings.override(providers.Object(settings))
    yield container
    container.reset_override()


client = both_databases.client


@pytest.fixture
async def rooms(client: AsyncTestClient[Any], staff: Actor) -> list[dict[str, Any]]:
    return [await create_room(client, staff, f"Room {n}") for n in range(LIMIT + 1)]


async def post_booking(client: AsyncTestClient[Any], actor: Actor, body: dict[str, Any]) -> Any:
    return await client.post("/bookings", json=body, headers=actor.headers)


def violations(response: Any) -> list[dict[str, str]]:
    body = assert_problem(response, 422)
    assert body["type"].endswith(":rules-broken")
    found: list[dict[str, str]] = body["violations"]
    details = {"limit", "actual"}
    assert all(v.keys() == {"code", "field", "message"} | details and v["message"] for v in found)
    return found


async def test_a_booking_ending_past_a_year_ahead_is_422_too_far_ahead(
    client: AsyncTestClient[Any], container: Container, student: Actor, rooms: list[Any]
) -> None:
    end = NOW + timedelta(days=365, hours=1)
    response = await post_booking(
        client, student, booking_body(rooms[0]["id"], end - timedelta(hours=2), end)
    )

    assert [(v["code"], v["field"]) for v in violations(response)] == [("too_far_ahead", "ends_at")]
    assert await stored_bookings(container) == []


async def test_the_last_day_of_the_calendar_is_422_not_a_500(
    client: AsyncTestClient[Any], staff: Actor, rooms: list[Any]
) -> None:
    start = datetime(9999, 12, 31, 10, tzinfo=UTC)
    response = await post_booking(
        client, staff, booking_body(rooms[0]["id"], start, start + timedelta(hours=2))
    )

    assert [v["code"] for v in violations(response)] == ["too_far_ahead"]


async def test_a_booking_ending_a_year_ahead_is_accepted(
    client: AsyncTestClient[Any], student: Actor, rooms: list[Any]
) -> None:
    end = NOW + timedelta(days=365)
    await book(client, student, rooms[0]["id"], end - timedelta(hours=2), end)


async def test_moving_a_booking_past_the_horizon_is_422(
    client: AsyncTestClient[Any], student: Actor, rooms: list[Any]
) -> None:
    booking = await book(client, student, rooms[0]["id"], at(9), at(10))
    end = NOW + timedelta(days=366)

    response = await client.patch(
        f"/bookings/{booking['id']}",
        json={"starts_at": (end - timedelta(hours=1)).isoformat(), "ends_at": end.isoformat()},
        headers=student.headers,
    )

    assert [v["code"] for v in violations(response)] == ["too_far_ahead"]


async def test_a_student_at_the_limit_is_422_until_one_is_cancelled(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    staff: Actor,
    rooms: list[Any],
) -> None:
    held = [await book(client, student, rooms[n]["id"], at(9 + n), at(10 + n)) for n in range(3)]
    next_one = booking_body(rooms[3]["id"], at(14), at(15))

    refused = await post_booking(client, student, next_one)
    [violation] = violations(refused)
    assert violation["code"] == "active_bookings_limit"
    assert len(await stored_bookings(container)) == LIMIT
    # Staff are not limited; the student may book again once one is cancelled.
    for n in range(LIMIT + 1):
        await book(client, staff, rooms[n]["id"], at(16 + n), at(17 + n))
    cancel = await client.post(f"/bookings/{held[0]['id']}/cancel", headers=student.headers)
    assert cancel.status_code == 200, cancel.text
    assert (await post_booking(client, student, next_one)).status_code == 201


async def test_every_broken_limit_is_listed_at_once(
    client: AsyncTestClient[Any], student: Actor, rooms: list[Any]
) -> None:
    for n in range(LIMIT):
        await book(client, student, rooms[n]["id"], at(9 + n), at(10 + n))
    end = NOW + timedelta(days=400)

    response = await post_booking(
        client, student, booking_body(rooms[3]["id"], end - timedelta(hours=1), end)
    )

    assert [v["code"] for v in violations(response)] == ["too_far_ahead", "active_bookings_limit"]


async def test_deactivating_a_user_with_bookings_needs_cancel_bookings_which_cancels_them(
    client: AsyncTestClient[Any],
    container: Container,
    admin: Actor,
    student: Actor,
    other: Actor,
    rooms: list[Any],
) -> None:
    mine = [await book(client, student, rooms[n]["id"], at(9 + n), at(10 + n)) for n in range(2)]
    theirs = await book(client, other, rooms[0]["id"], at(12), at(13))
    path = f"/admin/users/{student.id}"

    refused = await client.patch(path, json={"is_active": False}, headers=admin.headers)
    body = assert_problem(refused, 409)
    assert "cancel_bookings=true" in body["detail"]
    assert (await client.get("/auth/me", headers=student.headers)).status_code == 200

    response = await client.patch(
        f"{path}?cancel_bookings=true", json={"is_active": False}, headers=admin.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    statuses = {str(b.id): b.status for b in await stored_bookings(container)}
    assert statuses == {
        mine[0]["id"]: BookingStatus.CANCELLED,
        mine[1]["id"]: BookingStatus.CANCELLED,
        theirs["id"]: BookingStatus.APPROVED,
    }
    for booking in mine:
        audit = await client.get(
            "/admin/audit",
            params={"entity": "booking", "entity_id": booking["id"]},
            headers=admin.headers,
        )
        assert audit.status_code == 200, audit.text
        [cancelled] = [e for e in audit.json()["items"] if e["action"] == "cancelled"]
        assert cancelled["actor_id"] == str(admin.id)
        assert cancelled["after"] == {"status": "CANCELLED"}
