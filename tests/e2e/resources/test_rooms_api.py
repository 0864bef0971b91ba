"""/rooms: browsing for everyone signed in, management for staff, deactivation for admins."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from campus_booking.domain.bookings import BookingStatus
from tests.e2e.actors import (
    Actor,
    Actors,
    at,
    book,
    booking_body,
    create_room,
    room_body,
    stored_bookings,
    stored_rooms,
)
from tests.e2e.conftest import assert_problem

PAGE_KEYS = {"items", "total", "limit", "offset"}
ROOM_KEYS = {
    "id",
    "name",
    "building",
    "capacity",
    "features",
    "requires_approval",
    "is_active",
    "time_zone",
    "created_at",
    "policy_id",
}
UNKNOWN_ROOM = "00000000-0000-4000-8000-000000000000"


async def list_rooms(client: AsyncTestClient[Any], actor: Actor, query: str = "") -> Any:
    return await client.get(f"/rooms{query}", headers=actor.headers)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [room["name"] for room in response.json()["items"]]


# --- listing ------------------------------------------------------------------------------


async def test_student_lists_rooms_ordered_by_name(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    for name in ("Cedar", "Aspen", "Birch"):
        await create_room(client, staff, name)

    response = await list_rooms(client, student)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == PAGE_KEYS
    assert [room["name"] for room in body["items"]] == ["Aspen", "Birch", "Cedar"]
    assert (body["total"], body["limit"], body["offset"]) == (3, 50, 0)
    assert set(body["items"][0]) == ROOM_KEYS


async def test_anonymous_caller_cannot_list_rooms(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/rooms"), 401)


async def test_min_capacity_keeps_rooms_at_least_that_big(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    for name, capacity in (("Small", 5), ("Medium", 20), ("Large", 40)):
        await create_room(client, staff, name, capacity=capacity)

    response = await list_rooms(client, student, "?min_capacity=20")

    assert names(response) == ["Large", "Medium"]
    assert response.json()["total"] == 2


async def test_building_filter_keeps_that_building_only(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    await create_room(client, staff, "North 1", building="North")
    await create_room(client, staff, "South 1", building="South")

    assert names(await list_rooms(client, student, "?building=South")) == ["South 1"]


async def test_repeated_feature_filter_needs_all_features(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    await create_room(client, staff, "Both", features=("projector", "whiteboard"))
    await create_room(client, staff, "Projector", features=("projector",))
    await create_room(client, staff, "Whiteboard", features=("whiteboard",))

    both = await list_rooms(client, student, "?feature=projector&feature=whiteboard")
    one = await list_rooms(client, student, "?feature=Projector")

    assert names(both) == ["Both"]
    assert names(one) == ["Both", "Projector"]


async def test_inactive_rooms_are_hidden_by_default(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    await create_room(client, admin, "Open")
    closed = await create_room(client, admin, "Closed")
    assert (await client.delete(f"/rooms/{closed['id']}", headers=admin.headers)).status_code == 204

    assert names(await list_rooms(client, student)) == ["Open"]


async def test_student_may_not_include_inactive_rooms(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    assert_problem(await list_rooms(client, student, "?include_inactive=true"), 403)


async def test_staff_sees_inactive_rooms_when_asking(
    client: AsyncTestClient[Any], admin: Actor, staff: Actor
) -> None:
    await create_room(client, admin, "Open")
    closed = await create_room(client, admin, "Closed")
    assert (await client.delete(f"/rooms/{closed['id']}", headers=admin.headers)).status_code == 204

    response = await list_rooms(client, staff, "?include_inactive=true")

    assert names(response) == ["Closed", "Open"]
    assert [room["is_active"] for room in response.json()["items"]] == [False, True]


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc"])
async def test_limit_outside_1_to_100_is_refused(
    client: AsyncTestClient[Any], student: Actor, limit: str
) -> None:
    body = assert_problem(await list_rooms(client, student, f"?limit={limit}"), 400)

    assert [error["field"] for error in body["errors"]] == ["limit"]


async def test_limit_of_100_is_accepted(client: AsyncTestClient[Any], student: Actor) -> None:
    response = await list_rooms(client, student, "?limit=100")

    assert response.status_code == 200
    assert response.json()["limit"] == 100


async def test_limit_and_offset_page_through_rooms_in_name_order(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    for name in ("Cedar", "Aspen", "Birch"):
        await create_room(client, staff, name)

    first = await list_rooms(client, student, "?limit=2")
    last = await list_rooms(client, student, "?limit=2&offset=2")

    assert names(first) == ["Aspen", "Birch"]
    assert names(last) == ["Cedar"]
    assert {key: last.json()[key] for key in ("total", "limit", "offset")} == {
        "total": 3,
        "limit": 2,
        "offset": 2,
    }


# --- one room -----------------------------------------------------------------------------


async def test_get_room_returns_it(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    room = await create_room(client, staff, "Aspen", capacity=12)

    response = await client.get(f"/rooms/{room['id']}", headers=student.headers)

    assert response.status_code == 200
    assert response.json() == room


async def test_get_unknown_room_is_404(client: AsyncTestClient[Any], student: Actor) -> None:
    assert_problem(await client.get(f"/rooms/{UNKNOWN_ROOM}", headers=student.headers), 404)


# --- creating -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "admin"])
async def test_staff_and_admin_create_rooms(
    client: AsyncTestClient[Any], actors: Actors, role: str
) -> None:
    manager = await getattr(actors, role)()
    body = room_body("Aspen", building="North", capacity=12, features=("Whiteboard", "projector"))

    response = await client.post("/rooms", json=body, headers=manager.headers)

    assert response.status_code == 201, response.text
    room = response.json()
    assert set(room) == ROOM_KEYS
    assert room["name"] == "Aspen"
    assert room["building"] == "North"
    assert room["capacity"] == 12
    assert room["features"] == ["projector", "whiteboard"]
    assert room["requires_approval"] is False
    assert room["is_active"] is True
    assert room["time_zone"] == "UTC"  # the campus zone, by default
    fetched = await client.get(f"/rooms/{room['id']}", headers=manager.headers)
    assert fetched.json() == room


async def test_student_cannot_create_a_room(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    response = await client.post("/rooms", json=room_body(), headers=student.headers)

    assert_problem(response, 403)
    assert await stored_rooms(container) == []


async def test_anonymous_caller_cannot_create_a_room(
    client: AsyncTestClient[Any], container: Container
) -> None:
    assert_problem(await client.post("/rooms", json=room_body()), 401)
    assert await stored_rooms(container) == []


async def test_room_name_taken_in_another_letter_case_is_a_conflict(
    client: AsyncTestClient[Any], container: Container, staff: Actor
) -> None:
    await create_room(client, staff, "Lab One")

    response = await client.post("/rooms", json=room_body("LAB one"), headers=staff.headers)

    body = assert_problem(response, 409)
    assert body == {
        "type": "urn:campus-booking:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "A room with this name already exists.",
    }
    assert [room.name for room in await stored_rooms(container)] == ["Lab One"]


@pytest.mark.parametrize("capacity", [0, -5, 100_001, 10**20, 2.5, "ten"])
async def test_invalid_capacity_is_refused(
    client: AsyncTestClient[Any], container: Container, staff: Actor, capacity: Any
) -> None:
    body = {**room_body(), "capacity": capacity}

    problem = assert_problem(await client.post("/rooms", json=body, headers=staff.headers), 400)

    assert [error["field"] for error in problem["errors"]] == ["capacity"]
    assert await stored_rooms(container) == []


@pytest.mark.parametrize(
    ("field", "value"), [("is_active", False), ("id", "00000000-0000-4000-8000-000000000001")]
)
async def test_unknown_field_on_create_is_refused(
    client: AsyncTestClient[Any], container: Container, staff: Actor, field: str, value: Any
) -> None:
    body = {**room_body(), field: value}

    problem = assert_problem(await client.post("/rooms", json=body, headers=staff.headers), 400)

    assert [error["field"] for error in problem["errors"]] == [field]
    assert await stored_rooms(container) == []


async def test_a_room_takes_its_own_time_zone_and_changes_it(
    client: AsyncTestClient[Any], staff: Actor
) -> None:
    body = {**room_body("Aspen"), "time_zone": "Europe/Berlin"}
    created = await client.post("/rooms", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    assert created.json()["time_zone"] == "Europe/Berlin"

    changed = await client.patch(
        f"/rooms/{created.json()['id']}",
        json={"time_zone": "America/New_York"},
        headers=staff.headers,
    )

    assert changed.status_code == 200, changed.text
    assert changed.json() == {**created.json(), "time_zone": "America/New_York"}


@pytest.mark.parametrize("zone", ["Europe/Atlantis", "europe/berlin", "", "Europe/../UTC", 1])
async def test_an_unknown_time_zone_is_refused_naming_the_field(
    client: AsyncTestClient[Any], container: Container, staff: Actor, zone: Any
) -> None:
    body = {**room_body(), "time_zone": zone}

    problem = assert_problem(await client.post("/rooms", json=body, headers=staff.headers), 400)

    assert [error["field"] for error in problem["errors"]] == ["time_zone"]
    assert await stored_rooms(container) == []


# --- changing -----------------------------------------------------------------------------


async def test_patch_changes_only_the_fields_sent(
    client: AsyncTestClient[Any], staff: Actor
) -> None:
    room = await create_room(
        client, staff, "Aspen", building="North", capacity=12, features=("projector",)
    )

    response = await client.patch(
        f"/rooms/{room['id']}", json={"capacity": 30}, headers=staff.headers
    )

    assert response.status_code == 200, response.text
    assert response.json() == {**room, "capacity": 30}
    fetched = await client.get(f"/rooms/{room['id']}", headers=staff.headers)
    assert fetched.json() == {**room, "capacity": 30}


async def test_patch_to_a_taken_name_is_a_conflict_and_changes_nothing(
    client: AsyncTestClient[Any], staff: Actor
) -> None:
    await create_room(client, staff, "Aspen")
    birch = await create_room(client, staff, "Birch")

    response = await client.patch(
        f"/rooms/{birch['id']}", json={"name": "ASPEN", "capacity": 3}, headers=staff.headers
    )

    assert_problem(response, 409)
    assert (await client.get(f"/rooms/{birch['id']}", headers=staff.headers)).json() == birch


async def test_student_cannot_patch_a_room(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    room = await create_room(client, staff, "Aspen")

    response = await client.patch(
        f"/rooms/{room['id']}", json={"capacity": 99}, headers=student.headers
    )

    assert_problem(response, 403)
    assert (await client.get(f"/rooms/{room['id']}", headers=student.headers)).json() == room


# --- deactivating -------------------------------------------------------------------------


async def test_staff_cannot_deactivate_a_room(client: AsyncTestClient[Any], staff: Actor) -> None:
    room = await create_room(client, staff, "Aspen")

    assert_problem(await client.delete(f"/rooms/{room['id']}", headers=staff.headers), 403)
    assert (await client.get(f"/rooms/{room['id']}", headers=staff.headers)).json() == room


async def test_deactivating_an_unknown_room_is_404(
    client: AsyncTestClient[Any], admin: Actor
) -> None:
    assert_problem(await client.delete(f"/rooms/{UNKNOWN_ROOM}", headers=admin.headers), 404)


async def test_admin_deactivates_a_room_which_then_cannot_be_booked(
    client: AsyncTestClient[Any], container: Container, admin: Actor, student: Actor
) -> None:
    room = await create_room(client, admin, "Aspen")

    response = await client.delete(f"/rooms/{room['id']}", headers=admin.headers)

    assert response.status_code == 204
    fetched = await client.get(f"/rooms/{room['id']}", headers=student.headers)
    assert fetched.json() == {**room, "is_active": False}
    booking = await client.post(
        "/bookings", json=booking_body(room["id"], at(9), at(10)), headers=student.headers
    )
    [violation] = assert_problem(booking, 422)["violations"]
    assert (violation["code"], violation["field"]) == ("room_inactive", "room_id")
    assert await stored_bookings(container) == []


async def test_upcoming_bookings_block_deactivation_and_the_detail_counts_them(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    room = await create_room(client, admin, "Aspen")
    first = await book(client, student, room["id"], at(9), at(10))
    second = await book(client, student, room["id"], at(11), at(12))

    response = await client.delete(f"/rooms/{room['id']}", headers=admin.headers)

    problem = assert_problem(response, 409)
    assert "2 upcoming" in problem["detail"]
    assert (await client.get(f"/rooms/{room['id']}", headers=admin.headers)).json() == room
    for booking in (first, second):
        again = await client.get(f"/bookings/{booking['id']}", headers=student.headers)
        assert again.json()["status"] == "APPROVED"


async def test_cancel_bookings_deactivates_and_cancels_the_upcoming_bookings(
    client: AsyncTestClient[Any], container: Container, admin: Actor, student: Actor
) -> None:
    room = await create_room(client, admin, "Aspen")
    await book(client, student, room["id"], at(9), at(10))
    await book(client, student, room["id"], at(11), at(12))

    response = await client.delete(
        f"/rooms/{room['id']}?cancel_bookings=true", headers=admin.headers
    )

    assert response.status_code == 204
    assert (await client.get(f"/rooms/{room['id']}", headers=admin.headers)).json()[
        "is_active"
    ] is False
    statuses = [booking.status for booking in await stored_bookings(container)]
    assert statuses == [BookingStatus.CANCELLED, BookingStatus.CANCELLED]


async def test_bookings_that_have_ended_do_not_block_deactivation(
    client: AsyncTestClient[Any], container: Container, actors: Actors, admin: Actor
) -> None:
    room = await create_room(client, admin, "Aspen")
    await book(client, admin, room["id"], at(9), at(10))
    await actors.travel(at(10, 30), admin)

    response = await client.delete(f"/rooms/{room['id']}", headers=admin.headers)

    assert response.status_code == 204
    assert [booking.status for booking in await stored_bookings(container)] == [
        BookingStatus.APPROVED
    ]
