"""/booking-policies over HTTP, rooms following them, and what POST /bookings and
POST /bookings/check answer under them."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.actors import Actor, at, book, booking_body, create_room, stored_bookings
from tests.e2e.conftest import assert_problem

GROUP_STUDY = {
    "name": "Group study",
    "max_duration_minutes": 120,
    "slot_minutes": 30,
    "max_advance_days": 14,
    "max_minutes_per_day": 120,
}


async def create_policy(
    client: AsyncTestClient[Any], actor: Actor, body: dict[str, Any] = GROUP_STUDY
) -> dict[str, Any]:
    response = await client.post("/booking-policies", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    policy: dict[str, Any] = response.json()
    return policy


async def test_staff_create_read_replace_and_delete_a_policy(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    policy = await create_policy(client, staff)

    assert policy == {
        "id": policy["id"],
        "created_at": policy["created_at"],
        "min_duration_minutes": None,
        "min_notice_minutes": None,
        "max_minutes_per_week": None,
        "max_active_bookings": None,
        **GROUP_STUDY,
    }
    listed = await client.get("/booking-policies", headers=student.headers)
    assert [p["id"] for p in listed.json()["items"]] == [policy["id"]]
    path = f"/booking-policies/{policy['id']}"
    replaced = await client.put(path, json={"name": "Quiet study"}, headers=staff.headers)
    assert replaced.json()["max_minutes_per_day"] is None
    assert (await client.get(path, headers=student.headers)).json()["name"] == "Quiet study"
    assert (await client.delete(path, headers=staff.headers)).status_code == 204
    assert_problem(await client.get(path, headers=student.headers), 404)


async def test_malformed_policies_are_400_naming_the_field(
    client: AsyncTestClient[Any], staff: Actor
) -> None:
    for body, field in [
        ({"name": "X", "slot_minutes": 7}, "slot_minutes"),
        ({"name": "X", "max_minutes_per_day": 0}, "max_minutes_per_day"),
        (
            {"name": "X", "min_duration_minutes": 90, "max_duration_minutes": 60},
            "min_duration_minutes",
        ),
        ({"name": "X", "limit": 1}, "limit"),
    ]:
        response = await client.post("/booking-policies", json=body, headers=staff.headers)
        problem = assert_problem(response, 400)
        assert [error["field"] for error in problem["errors"]] == [field], response.text


async def test_a_duplicate_name_is_409_and_a_followed_policy_is_not_deleted(
    client: AsyncTestClient[Any], staff: Actor
) -> None:
    policy = await create_policy(client, staff)
    room = await create_room(client, staff, "Study 1", policy_id=policy["id"])

    duplicate = {**GROUP_STUDY, "name": "GROUP STUDY"}
    assert_problem(
        await client.post("/booking-policies", json=duplicate, headers=staff.headers), 409
    )
    path = f"/booking-policies/{policy['id']}"
    assert_problem(await client.delete(path, headers=staff.headers), 409)

    cleared = await client.patch(
        f"/rooms/{room['id']}", json={"policy_id": None}, headers=staff.headers
    )
    assert cleared.json()["policy_id"] is None
    assert (await client.delete(path, headers=staff.headers)).status_code == 204


async def test_a_room_with_an_unknown_policy_is_400(
    client: AsyncTestClient[Any], staff: Actor
) -> None:
    response = await client.post(
        "/rooms",
        json={
            "name": "Study",
            "building": "Main",
            "capacity": 4,
            "policy_id": "00000000-0000-4000-8000-000000000000",
        },
        headers=staff.headers,
    )

    assert [e["field"] for e in assert_problem(response, 400)["errors"]] == ["policy_id"]


async def test_a_request_breaking_the_policy_gets_every_code_with_its_limits(
    client: AsyncTestClient[Any], container: Container, staff: Actor, student: Actor
) -> None:
    policy = await create_policy(client, staff)
    room = await create_room(client, staff, "Study 1", policy_id=policy["id"])
    await book(client, student, room["id"], at(9), at(10))

    response = await client.post(
        "/bookings", json=booking_body(room["id"], at(10, 15), at(12, 30)), headers=student.headers
    )

    violations = assert_problem(response, 422)["violations"]
    assert [(v["code"], v["field"]) for v in violations] == [
        ("too_long", "ends_at"),
        ("off_grid", "starts_at"),
        ("daily_quota", "starts_at"),
    ]
    assert violations[2]["limit"] == 120
    assert violations[2]["actual"] == 195
    assert violations[2]["date"] == "2030-01-02"
    assert len(await stored_bookings(container)) == 1


async def test_staff_may_override_the_policy_and_a_student_may_not(
    client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> None:
    policy = await create_policy(client, staff)
    room = await create_room(client, staff, "Study 1", policy_id=policy["id"])
    body = {**booking_body(room["id"], at(9), at(13)), "override_policy": True}

    assert_problem(await client.post("/bookings", json=body, headers=student.headers), 403)
    response = await client.post("/bookings", json=body, headers=staff.headers)

    assert response.status_code == 201, response.text


async def test_the_check_answers_for_the_caller_and_writes_nothing(
    client: AsyncTestClient[Any], container: Container, staff: Actor, student: Actor
) -> None:
    policy = await create_policy(client, staff)
    room = await create_room(client, staff, "Study 1", policy_id=policy["id"])
    await book(client, staff, room["id"], at(9), at(10))
    before = await stored_bookings(container)

    taken = await client.post(
        "/bookings/check", json=booking_body(room["id"], at(9), at(12)), headers=student.headers
    )
    free = await client.post(
        "/bookings/check", json=booking_body(room["id"], at(11), at(12)), headers=student.headers
    )

    assert taken.status_code == 200
    assert taken.json()["bookable"] is False
    assert [v["code"] for v in taken.json()["violations"]] == ["too_long", "daily_quota"]
    assert [c["starts_at"] for c in taken.json()["conflicts"]] == ["2030-01-02T09:00:00Z"]
    assert free.json() == {"bookable": True, "violations": [], "conflicts": []}
    assert await stored_bookings(container) == before
