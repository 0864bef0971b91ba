"""/closures: closing rooms, what that does to bookings, listing, and reopening."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.actors import (
    UNKNOWN_ID,
    Actor,
    at,
    book,
    booking_body,
    create_room,
    instant,
    stored_bookings,
)
from tests.e2e.conftest import assert_problem

CLOSURE_KEYS = {"id", "room_id", "starts_at", "ends_at", "reason", "created_by", "created_at"}


@pytest.fixture
async def room(client: AsyncTestClient[Any], staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff, "Reading Room")


def closure_body(room_ids: list[str], starts: Any, ends: Any, **fields: Any) -> dict[str, Any]:
    return {
        "room_ids": room_ids,
        "starts_at": starts.isoformat(),
        "ends_at": ends.isoformat(),
        "reason": "Renovation",
        **fields,
    }


async def close(
    client: AsyncTestClient[Any], actor: Actor, body: dict[str, Any]
) -> list[dict[str, Any]]:
    response = await client.post("/closures", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def test_closing_two_rooms_for_a_week_makes_one_closure_each(
    client: AsyncTestClient[Any], staff: Actor, room: dict[str, Any]
) -> None:
    other = await create_room(client, staff, "Map Room")

    items = await close(
        client, staff, closure_body([other["id"], room["id"]], at(0, day=3), at(0, day=10))
    )

    assert [item["room_id"] for item in items] == [other["id"], room["id"]]
    for item in items:
        assert set(item) == CLOSURE_KEYS
        assert (instant(item["starts_at"]), instant(item["ends_at"])) == (
            at(0, day=3),
            at(0, day=10),
        )
        assert (item["reason"], item["created_by"]) == ("Renovation", str(staff.id))
    fetched = await client.get(f"/closures/{items[0]['id']}", headers=staff.headers)
    assert fetched.json() == items[0]


async def test_a_closure_over_bookings_is_refused_listing_them(
    client: AsyncTestClient[Any],
    container: Container,
    staff: Actor,
    student: Actor,
    room: dict[str, Any],
) -> None:
    booked = await book(client, student, room["id"], at(10), at(11))

    response = await client.post(
        "/closures", json=closure_body([room["id"]], at(9), at(17)), headers=staff.headers
    )

    problem = assert_problem(response, 409)
    assert problem["conflicts"] == [
        {
            "booking_id": booked["id"],
            "room_id": room["id"],
            "starts_at": booked["starts_at"],
            "ends_at": booked["ends_at"],
            "kind": "booking",
        }
    ]
    listed = await client.get("/closures", headers=staff.headers)
    assert listed.json()["total"] == 0
    assert [b.status.value for b in await stored_bookings(container)] == ["APPROVED"]


async def test_cancel_conflicting_cancels_them_with_the_reason_and_audits_it(
    client: AsyncTestClient[Any], staff: Actor, admin: Actor, student: Actor, room: dict[str, Any]
) -> None:
    booked = await book(client, student, room["id"], at(10), at(11))

    (closure,) = await close(
        client,
        staff,
        closure_body([room["id"]], at(9), at(17), reason="Fire drill", cancel_conflicting=True),
    )

    mine = (await client.get(f"/bookings/{booked['id']}", headers=student.headers)).json()
    assert (mine["status"], mine["decision_reason"]) == ("CANCELLED", "Fire drill")
    assert mine["decided_by"] == str(staff.id)
    trail = await client.get(
        f"/admin/audit?entity=booking&entity_id={booked['id']}", headers=admin.headers
    )
    cancelled = [e for e in trail.json()["items"] if e["action"] == "cancelled"]
    assert len(cancelled) == 1
    assert cancelled[0]["actor_id"] == str(staff.id)
    assert cancelled[0]["after"]["decision_reason"] == "Fire drill"
    created = await client.get(
        f"/admin/audit?entity=closure&entity_id={closure['id']}", headers=admin.headers
    )
    assert [e["action"] for e in created.json()["items"]] == ["created"]


async def test_booking_into_a_closure_names_it_and_a_booking_clash_says_its_kind(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    other: Actor,
    room: dict[str, Any],
) -> None:
    await close(client, staff, closure_body([room["id"]], at(12), at(18)))
    await book(client, other, room["id"], at(10), at(11), title="Secret meeting")

    response = await client.post(
        "/bookings", json=booking_body(room["id"], at(10, 30), at(13)), headers=student.headers
    )

    problem = assert_problem(response, 409)
    assert problem["conflicts"] == [
        {"starts_at": "2030-01-02T10:00:00Z", "ends_at": "2030-01-02T11:00:00Z", "kind": "booking"},
        {
            "starts_at": "2030-01-02T12:00:00Z",
            "ends_at": "2030-01-02T18:00:00Z",
            "kind": "closure",
            "reason": "Renovation",
        },
    ]
    assert "Secret meeting" not in response.text


async def test_moving_a_booking_into_a_closure_is_a_conflict(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    mine = await book(client, student, room["id"], at(9), at(10))
    await close(client, staff, closure_body([room["id"]], at(12), at(18)))

    response = await client.patch(
        f"/bookings/{mine['id']}",
        json={"starts_at": at(17).isoformat(), "ends_at": at(19).isoformat()},
        headers=student.headers,
    )

    problem = assert_problem(response, 409)
    assert [c["kind"] for c in problem["conflicts"]] == ["closure"]


async def test_deleting_a_closure_frees_the_time_at_once(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    (closure,) = await close(client, staff, closure_body([room["id"]], at(12), at(18)))

    deleted = await client.delete(f"/closures/{closure['id']}", headers=staff.headers)
    again = await client.delete(f"/closures/{closure['id']}", headers=staff.headers)

    assert deleted.status_code == 204, deleted.text
    assert_problem(again, 404)
    assert_problem(await client.get(f"/closures/{closure['id']}", headers=staff.headers), 404)
    await book(client, student, room["id"], at(13), at(14))


async def test_closures_are_listed_by_start_in_pages_filtered_by_room_and_window(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    other = await create_room(client, staff, "Map Room")
    await close(client, staff, closure_body([room["id"]], at(0, day=5), at(0, day=6)))
    await close(client, staff, closure_body([room["id"], other["id"]], at(9), at(10)))

    everything = (await client.get("/closures", headers=student.headers)).json()
    page = await client.get(
        f"/closures?room_id={room['id']}&limit=1&offset=1", headers=student.headers
    )
    window = await client.get(
        f"/closures?room_id={room['id']}&from={at(10).isoformat().replace('+00:00', 'Z')}",
        headers=student.headers,
    )

    assert [instant(c["starts_at"]) for c in everything["items"]] == [at(9), at(9), at(0, day=5)]
    assert everything["total"] == 3
    assert (page.json()["total"], len(page.json()["items"])) == (2, 1)
    assert instant(page.json()["items"][0]["starts_at"]) == at(0, day=5)
    assert [instant(c["starts_at"]) for c in window.json()["items"]] == [at(0, day=5)]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"room_ids": []}, "room_ids"),
        ({"reason": ""}, "reason"),
        ({"starts_at": "2030-01-02T12:00:00"}, "starts_at"),
        ({"ends_at": "2030-01-02T08:00:00Z"}, "ends_at"),
        ({"cancel_conflicting": "yes"}, "cancel_conflicting"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_malformed_closures_are_400_naming_the_field(
    client: AsyncTestClient[Any],
    staff: Actor,
    room: dict[str, Any],
    change: dict[str, Any],
    field: str,
) -> None:
    body = {**closure_body([room["id"]], at(9), at(10)), **change}

    problem = assert_problem(await client.post("/closures", json=body, headers=staff.headers), 400)

    assert field in [error["field"] for error in problem["errors"]]


async def test_an_unknown_room_is_404_and_an_ended_closure_422(
    client: AsyncTestClient[Any], staff: Actor, room: dict[str, Any]
) -> None:
    unknown = await client.post(
        "/closures",
        json=closure_body([room["id"], UNKNOWN_ID], at(9), at(10)),
        headers=staff.headers,
    )
    ended = await client.post(
        "/closures",
        json=closure_body([room["id"]], at(1, day=1), at(2, day=1)),
        headers=staff.headers,
    )

    assert_problem(unknown, 404)
    problem = assert_problem(ended, 422)
    assert [(v["code"], v["field"]) for v in problem["violations"]] == [("in_the_past", "ends_at")]
    listed = await client.get("/closures", headers=staff.headers)
    assert listed.json()["total"] == 0
