"""/admin/audit: admins read who changed what over the API; nobody else may read it at all.

The clock is moved on a minute between the changes of `history`, so that each has a time of
its own and "newest first" fixes their order. Entries written at one instant (the sign-ups at
NOW, a room and the bookings its deactivation cancels) are compared without their order.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.application.auth import CreateAdminCommand
from campus_booking.container import Container
from tests.e2e.actors import NOW, Actor, Actors, at, book, booking_body, create_room, instant
from tests.e2e.conftest import PASSWORD, assert_problem

ENTRY_KEYS = {"id", "at", "actor_id", "entity", "entity_id", "action", "before", "after"}
PAGE_KEYS = {"items", "total", "limit", "offset"}
MINUTE = timedelta(minutes=1)


async def audit(client: AsyncTestClient[Any], actor: Actor, **params: Any) -> dict[str, Any]:
    response = await client.get("/admin/audit", params=params, headers=actor.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


Summary = tuple[datetime, str | None, str, str, str]


def summary(page: dict[str, Any]) -> list[Summary]:
    """(at, actor_id, entity, entity_id, action) of each entry, in the order listed."""
    return [
        (instant(e["at"]), e["actor_id"], e["entity"], e["entity_id"], e["action"])
        for e in page["items"]
    ]


def signed_up(*actors: Actor) -> list[Summary]:
    """The entries of the actors' own sign-ups at NOW, sorted."""
    return sorted((NOW, str(a.id), "user", str(a.id), "created") for a in actors)


def field_of(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


def text(moment: datetime) -> str:
    return moment.isoformat()


def tick(actors: Actors) -> datetime:
    now = actors.clock.now() + MINUTE
    actors.clock.set(now)
    return now


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response


@pytest.fixture
async def history(
    client: AsyncTestClient[Any], actors: Actors, admin: Actor, staff: Actor, student: Actor
) -> dict[str, Any]:
    """A morning of changes over HTTP, a minute apart, by staff, a student and the admin."""
    times: dict[str, datetime] = {}
    times["room"] = tick(actors)
    room = await create_room(client, staff, "Council", capacity=8, requires_approval=True)
    times["booking"] = tick(actors)
    booking = await book(client, student, room["id"], at(9), at(10), title="Study")
    times["approve"] = tick(actors)
    ok(
        await client.post(
            f"/bookings/{booking['id']}/approve", json={"reason": "Enjoy"}, headers=staff.headers
        )
    )
    times["move"] = tick(actors)
    moved = {"starts_at": text(at(11)), "ends_at": text(at(12))}
    ok(await client.patch(f"/bookings/{booking['id']}", json=moved, headers=student.headers))
    times["promote"] = tick(actors)
    ok(
        await client.patch(
            f"/admin/users/{student.id}", json={"role": "STAFF"}, headers=admin.headers
        )
    )
    times["deactivate"] = tick(actors)
    ok(
        await client.delete(
            f"/rooms/{room['id']}", params={"cancel_bookings": "true"}, headers=admin.headers
        ),
        204,
    )
    return {"room": room["id"], "booking": booking["id"], "times": times}


# --- what an admin sees -------------------------------------------------------------------


async def test_an_admin_sees_every_change_newest_first_with_who_made_it(
    client: AsyncTestClient[Any],
    admin: Actor,
    staff: Actor,
    student: Actor,
    history: dict[str, Any],
) -> None:
    room, booking, times = history["room"], history["booking"], history["times"]

    page = await audit(client, admin)

    listed = summary(page)
    assert sorted(listed[:2]) == sorted(
        [
            (times["deactivate"], str(admin.id), "room", room, "deactivated"),
            (times["deactivate"], str(admin.id), "booking", booking, "cancelled"),
        ]
    )
    assert listed[2:7] == [
        (times["promote"], str(admin.id), "user", str(student.id), "changed"),
        (times["move"], str(student.id), "booking", booking, "changed"),
        (times["approve"], str(staff.id), "booking", booking, "approved"),
        (times["booking"], str(student.id), "booking", booking, "created"),
        (times["room"], str(staff.id), "room", room, "created"),
    ]
    assert sorted(listed[7:]) == signed_up(admin, staff, student)
    assert (page["total"], page["limit"], page["offset"]) == (10, 50, 0)


async def test_entries_carry_exactly_the_touched_fields_before_and_after(
    client: AsyncTestClient[Any],
    admin: Actor,
    staff: Actor,
    student: Actor,
    history: dict[str, Any],
) -> None:
    page = await audit(client, admin, entity_id=history["booking"])

    changes = [(e["action"], e["before"], e["after"]) for e in page["items"]]
    assert changes == [
        ("cancelled", {"status": "PENDING"}, {"status": "CANCELLED"}),
        (
            "changed",
            {
                "starts_at": "2030-01-02T09:00:00+00:00",
                "ends_at": "2030-01-02T10:00:00+00:00",
                "status": "APPROVED",
                "decided_by": str(staff.id),
                "decision_reason": "Enjoy",
            },
            {
                "starts_at": "2030-01-02T11:00:00+00:00",
                "ends_at": "2030-01-02T12:00:00+00:00",
                "status": "PENDING",
                "decided_by": None,
                "decision_reason": None,
            },
        ),
        (
            "approved",
            {"status": "PENDING", "decided_by": None, "decision_reason": None},
            {"status": "APPROVED", "decided_by": str(staff.id), "decision_reason": "Enjoy"},
        ),
        (
            "created",
            None,
            {
                "room_id": history["room"],
                "requester_id": str(student.id),
                "starts_at": "2030-01-02T09:00:00+00:00",
                "ends_at": "2030-01-02T10:00:00+00:00",
                "title": "Study",
                "attendees": 1,
                "status": "PENDING",
                "decided_by": None,
                "decision_reason": None,
            },
        ),
    ]


async def test_a_user_change_shows_the_role_and_never_a_secret(
    client: AsyncTestClient[Any], admin: Actor, student: Actor, history: dict[str, Any]
) -> None:
    page = await audit(client, admin, entity="user", entity_id=str(student.id))

    assert [(e["action"], e["before"], e["after"]) for e in page["items"]] == [
        ("changed", {"role": "STUDENT"}, {"role": "STAFF"}),
        (
            "created",
            None,
            {"email": "stu@uni.example", "full_name": "Stu", "role": "STUDENT", "is_active": True},
        ),
    ]
    assert PASSWORD not in str(page)
    assert "password" not in str(page)
    assert "token_version" not in str(page)


async def test_every_entry_has_exactly_the_documented_keys(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    page = await audit(client, admin)

    assert set(page) == PAGE_KEYS
    assert [set(entry) for entry in page["items"]] == [ENTRY_KEYS] * 10
    assert len({entry["id"] for entry in page["items"]}) == 10
    assert all(entry["at"].endswith("Z") for entry in page["items"])


async def test_an_admin_made_from_the_command_line_has_no_actor(
    client: AsyncTestClient[Any], container: Container, admin: Actor
) -> None:
    root = await container.create_admin()(
        CreateAdminCommand(email="root@uni.example", password=PASSWORD, full_name="Root")
    )

    page = await audit(client, admin, entity_id=str(root.id))

    assert [(e["actor_id"], e["action"], e["before"], e["after"]) for e in page["items"]] == [
        (
            None,
            "created",
            None,
            {"email": "root@uni.example", "full_name": "Root", "role": "ADMIN", "is_active": True},
        )
    ]


async def test_refused_requests_leave_no_entry(
    client: AsyncTestClient[Any],
    admin: Actor,
    staff: Actor,
    student: Actor,
) -> None:
    room = await create_room(client, staff, "Lab")
    await book(client, student, room["id"], at(9), at(10))
    before = await audit(client, admin)
    taken = booking_body(room["id"], at(9, 30), at(10, 30))

    refused = [
        await client.post("/bookings", json=taken, headers=staff.headers),
        await client.delete(f"/rooms/{room['id']}", headers=admin.headers),
        await client.patch(
            f"/admin/users/{admin.id}", json={"role": "STAFF"}, headers=admin.headers
        ),
        await client.post(
            "/rooms", json={"name": "lab", "building": "B", "capacity": 1}, headers=staff.headers
        ),
    ]

    assert [response.status_code for response in refused] == [409, 409, 409, 409]
    assert await audit(client, admin) == before
    assert before["total"] == 5  # three sign-ups, the room and the booking


# --- filters ------------------------------------------------------------------------------


async def test_entity_filter_keeps_that_kind_only(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    times = history["times"]

    page = await audit(client, admin, entity="room")

    assert [(instant(e["at"]), e["entity_id"], e["action"]) for e in page["items"]] == [
        (times["deactivate"], history["room"], "deactivated"),
        (times["room"], history["room"], "created"),
    ]
    assert page["total"] == 2


async def test_actor_filter_keeps_what_that_person_did(
    client: AsyncTestClient[Any],
    admin: Actor,
    student: Actor,
    history: dict[str, Any],
) -> None:
    times, booking = history["times"], history["booking"]

    page = await audit(client, admin, actor_id=str(student.id))

    assert summary(page) == [
        (times["move"], str(student.id), "booking", booking, "changed"),
        (times["booking"], str(student.id), "booking", booking, "created"),
        (NOW, str(student.id), "user", str(student.id), "created"),
    ]
    assert page["total"] == 3


async def test_filters_combine(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    page = await audit(client, admin, entity="booking", actor_id=str(admin.id))

    assert [(e["entity_id"], e["action"]) for e in page["items"]] == [
        (history["booking"], "cancelled")
    ]
    assert page["total"] == 1


async def test_from_is_inclusive_and_to_exclusive(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    times = history["times"]

    page = await audit(
        client, admin, **{"from": text(times["approve"]), "to": text(times["promote"])}
    )

    assert [(instant(e["at"]), e["action"]) for e in page["items"]] == [
        (times["move"], "changed"),
        (times["approve"], "approved"),
    ]
    assert page["total"] == 2


async def test_from_and_to_accept_any_offset(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    times = history["times"]
    zone = timezone(timedelta(hours=-3, minutes=-30))

    page = await audit(
        client,
        admin,
        **{"from": text(times["move"].astimezone(zone)), "to": text(times["deactivate"])},
    )

    assert [e["action"] for e in page["items"]] == ["changed", "changed"]
    assert [instant(e["at"]) for e in page["items"]] == [times["promote"], times["move"]]


async def test_a_window_before_any_change_is_empty(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    page = await audit(client, admin, to=text(NOW))

    assert (page["items"], page["total"]) == ([], 0)


async def test_pages_follow_the_full_listing(
    client: AsyncTestClient[Any], admin: Actor, history: dict[str, Any]
) -> None:
    whole = await audit(client, admin)

    middle = await audit(client, admin, limit=3, offset=2)
    beyond = await audit(client, admin, limit=3, offset=10)

    assert [e["id"] for e in middle["items"]] == [e["id"] for e in whole["items"][2:5]]
    assert (middle["total"], middle["limit"], middle["offset"]) == (10, 3, 2)
    assert (beyond["items"], beyond["total"], beyond["offset"]) == ([], 10, 10)


# --- refused queries ----------------------------------------------------------------------


@pytest.mark.parametrize("field", ["from", "to"])
async def test_naive_times_are_refused_naming_the_field(
    client: AsyncTestClient[Any], admin: Actor, field: str
) -> None:
    response = await client.get(
        "/admin/audit", params={field: "2030-01-01T08:00:00"}, headers=admin.headers
    )

    problem = assert_problem(response, 400)
    assert field_of(problem) == [field]
    assert "with an offset" in problem["errors"][0]["message"]


@pytest.mark.parametrize("field", ["from", "to"])
async def test_unparsable_times_are_refused_naming_the_field(
    client: AsyncTestClient[Any], admin: Actor, field: str
) -> None:
    response = await client.get("/admin/audit", params={field: "soon"}, headers=admin.headers)

    assert field_of(assert_problem(response, 400)) == [field]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"entity": "account"}, "entity"),
        ({"entity": "ROOM"}, "entity"),
        ({"entity_id": "not-a-uuid"}, "entity_id"),
        ({"actor_id": "42"}, "actor_id"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"offset": "-1"}, "offset"),
    ],
    ids=[
        "unknown-entity",
        "entity-in-upper-case",
        "bad-entity-id",
        "bad-actor-id",
        "limit-zero",
        "limit-too-big",
        "negative-offset",
    ],
)
async def test_invalid_query_values_are_refused_naming_the_field(
    client: AsyncTestClient[Any], admin: Actor, params: dict[str, str], field: str
) -> None:
    response = await client.get("/admin/audit", params=params, headers=admin.headers)

    assert field_of(assert_problem(response, 400)) == [field]


async def test_the_limits_of_limit_are_accepted(client: AsyncTestClient[Any], admin: Actor) -> None:
    smallest = await audit(client, admin, limit=1)
    largest = await audit(client, admin, limit=100)

    assert (len(smallest["items"]), smallest["limit"], smallest["total"]) == (1, 1, 1)
    assert (len(largest["items"]), largest["limit"]) == (1, 100)


# --- who may read it ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "student"])
async def test_non_admins_may_not_read_the_audit_log(
    client: AsyncTestClient[Any], actors: Actors, role: str
) -> None:
    caller = await getattr(actors, role)()

    assert_problem(await client.get("/admin/audit", headers=caller.headers), 403)


async def test_anonymous_callers_may_not_read_the_audit_log(
    client: AsyncTestClient[Any],
) -> None:
    assert_problem(await client.get("/admin/audit"), 401)


async def test_a_demoted_admin_loses_access_at_once(
    client: AsyncTestClient[Any], actors: Actors, admin: Actor
) -> None:
    other = await actors.admin("other")
    ok(
        await client.patch(
            f"/admin/users/{other.id}", json={"role": "STAFF"}, headers=admin.headers
        )
    )

    assert_problem(await client.get("/admin/audit", headers=other.headers), 401)
