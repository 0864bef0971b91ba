"""Invisible and look-alike text over HTTP, on SQLite and on PostgreSQL.

A room name with a zero-width space beside the same name without it, a title of nothing but
zero-width spaces, a right-to-left override in a name: each is a 400 naming the field. A
full-width room name is stored folded, so it collides with its ASCII twin (409).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from campus_booking.container import Container
from tests.e2e import both_databases
from tests.e2e.actors import Actor, at, book, booking_body, create_room, room_body
from tests.e2e.conftest import assert_problem, register
from tests.e2e.security.state import snapshot

container = both_databases.container
client = both_databases.client


def fields(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


async def test_room_name_with_a_zero_width_space_beside_its_twin_is_refused(
    client: httpx.AsyncClient, container: Container, staff: Actor
) -> None:
    await create_room(client, staff, "Lab X")
    before = await snapshot(container)

    response = await client.post("/rooms", json=room_body("Lab\u200b X"), headers=staff.headers)

    assert fields(assert_problem(response, 400)) == ["name"]
    assert await snapshot(container) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "\u202eLab"}, "name"),
        ({"building": "Main\u202e"}, "building"),
        ({"features": ["projector\u200b"]}, "features"),
    ],
    ids=["rlo in name", "rlo in building", "zero-width space in tag"],
)
async def test_room_with_an_invisible_character_is_refused(
    client: httpx.AsyncClient, container: Container, staff: Actor, body: Any, field: str
) -> None:
    before = await snapshot(container)

    response = await client.post("/rooms", json={**room_body(), **body}, headers=staff.headers)

    assert fields(assert_problem(response, 400)) == [field]
    assert await snapshot(container) == before


async def test_renaming_a_room_to_an_invisible_variant_is_refused(
    client: httpx.AsyncClient, container: Container, staff: Actor
) -> None:
    room = await create_room(client, staff, "Lab")
    before = await snapshot(container)

    response = await client.patch(
        f"/rooms/{room['id']}", json={"name": "L\u00adab"}, headers=staff.headers
    )

    assert fields(assert_problem(response, 400)) == ["name"]
    assert await snapshot(container) == before


@pytest.mark.parametrize(
    "spelling",
    ["Ｌａｂ", "ＬＡＢ", "𝐋𝐚𝐛"],  # noqa: RUF001
    ids=["full-width", "full-width upper", "mathematical bold"],
)
async def test_full_width_room_name_collides_with_its_ascii_twin(
    client: httpx.AsyncClient, container: Container, staff: Actor, spelling: str
) -> None:
    await create_room(client, staff, "Lab")
    before = await snapshot(container)

    response = await client.post("/rooms", json=room_body(spelling), headers=staff.headers)

    assert_problem(response, 409)
    assert await snapshot(container) == before


async def test_renaming_a_room_to_a_full_width_twin_of_another_is_a_conflict(
    client: httpx.AsyncClient, container: Container, staff: Actor
) -> None:
    await create_room(client, staff, "Lab")
    other = await create_room(client, staff, "Other")
    before = await snapshot(container)

    response = await client.patch(
        f"/rooms/{other['id']}",
        json={"name": "Ｌａｂ"},  # noqa: RUF001
        headers=staff.headers,
    )

    assert_problem(response, 409)
    assert await snapshot(container) == before


async def test_full_width_building_is_stored_folded_and_found_by_either_spelling(
    client: httpx.AsyncClient, staff: Actor
) -> None:
    room = await create_room(client, staff, "Lab", building="Ｍａｉｎ")  # noqa: RUF001

    found = await client.get("/rooms", params={"building": "Main"}, headers=staff.headers)

    assert room["building"] == "Main"
    assert [r["id"] for r in found.json()["items"]] == [room["id"]]


@pytest.mark.parametrize(
    "title",
    ["\u200b\u200b\u200b", "Seminar\u202e", "\ufeffSeminar"],
    ids=["only zwsp", "rlo", "bom"],
)
async def test_booking_title_with_invisible_characters_is_refused(
    client: httpx.AsyncClient, container: Container, staff: Actor, student: Actor, title: str
) -> None:
    room = await create_room(client, staff, "Lab")
    booking = await book(client, student, room["id"], at(9), at(10))
    before = await snapshot(container)

    created = await client.post(
        "/bookings",
        json=booking_body(room["id"], at(11), at(12), title=title),
        headers=student.headers,
    )
    changed = await client.patch(
        f"/bookings/{booking['id']}", json={"title": title}, headers=student.headers
    )

    assert fields(assert_problem(created, 400)) == ["title"]
    assert fields(assert_problem(changed, 400)) == ["title"]
    assert await snapshot(container) == before


async def test_rejection_reason_with_a_right_to_left_override_is_refused(
    client: httpx.AsyncClient, container: Container, staff: Actor, student: Actor
) -> None:
    room = await create_room(client, staff, "Lab", requires_approval=True)
    booking = await book(client, student, room["id"], at(9), at(10))
    before = await snapshot(container)

    response = await client.post(
        f"/bookings/{booking['id']}/reject",
        json={"reason": "Clash \u202ewith exams"},
        headers=staff.headers,
    )

    assert fields(assert_problem(response, 400)) == ["reason"]
    assert await snapshot(container) == before


async def test_full_name_with_a_right_to_left_override_is_refused(
    client: httpx.AsyncClient, container: Container
) -> None:
    response = await register(client, "eve@uni.example", full_name="Eve \u202egnissam")

    assert fields(assert_problem(response, 400)) == ["full_name"]
    assert await snapshot(container) == []
