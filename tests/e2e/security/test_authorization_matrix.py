"""Authorization (OWASP API1 object level, API3 property level, API5 function level).

The route-by-actor matrix is generated from `permissions.TABLE`; the named tests below it try
the attacks a role check alone does not stop: other people's objects, self-approval, and
fields a caller must not set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from campus_booking.domain.users import Role
from tests.e2e.actors import (
    UNKNOWN_ID,
    Actor,
    Actors,
    at,
    book,
    booking_body,
    create_room,
    room_body,
)
from tests.e2e.conftest import PASSWORD, assert_problem
from tests.e2e.security.conftest import Write
from tests.e2e.security.permissions import ACTORS, ANONYMOUS, TABLE, Rule, render_markdown
from tests.e2e.security.state import snapshot

README = Path(__file__).parents[3] / "README.md"
METHODS = {"get", "put", "post", "patch", "delete"}


@dataclass
class Scene:
    """One actor of each role, a spare room with a closure, and a student's PENDING booking of
    another room, and a PENDING series there with one occurrence cancelled."""

    actors: dict[str, Actor]
    room_id: str
    booking_id: str
    other_id: str
    closure_id: str
    policy_id: str
    series_id: str
    feeds: dict[str, tuple[str, str]]  # each actor's own feed: its id and its file name

    def path(self, rule: Rule, actor: str = ANONYMOUS) -> str:
        feed_id, file_name = self.feeds[actor]
        return rule.path.format(
            feed=file_name if rule.method == "GET" else feed_id,  # fetched by token, revoked by id
            room_id=self.room_id,
            booking_id=self.booking_id,
            user_id=self.other_id,
            closure_id=self.closure_id,
            policy_id=self.policy_id,
            series_id=self.series_id,
        )


@pytest.fixture
async def scene(client: AsyncTestClient[Any], actors: Actors) -> Scene:
    people: dict[str, Actor] = {
        Role.ADMIN: await actors.admin(),
        Role.STAFF: await actors.staff(),
        Role.STUDENT: await actors.student(),
    }
    other = await actors.student("other")
    staff, student = people[Role.STAFF], people[Role.STUDENT]
    spare = await create_room(client, staff, "Spare")
    approval = await create_room(client, staff, "Approval", requires_approval=True)
    booking = await book(client, student, approval["id"], at(9), at(10))
    closure = await client.post("/closures", json=closure_body(spare["id"]), headers=staff.headers)
    assert closure.status_code == 201, closure.text
    closure_id = closure.json()["items"][0]["id"]
    policy = await client.post("/booking-policies", json={"name": "Unused"}, headers=staff.headers)
    assert policy.status_code == 201, policy.text
    series = await client.post(
        "/booking-series", json=series_body(approval["id"]), headers=student.headers
    )
    assert series.status_code == 201, series.text
    cancelled = series.json()["occurrences"][1]["booking_id"]
    response = await client.post(f"/bookings/{cancelled}/cancel", headers=student.headers)
    assert response.status_code == 200, response.text
    feeds = {}
    for name, actor in people.items():
        response = await client.post(
            "/calendar/feeds", json={"scope": "mine"}, headers=actor.headers
        )
        assert response.status_code == 201, response.text
        feeds[name] = (response.json()["id"], response.json()["url"].rsplit("/", 1)[1])
    feeds[ANONYMOUS] = feeds[Role.STUDENT]  # the student's feed, fetched by a calendar app
    return Scene(
        people,
        spare["id"],
        booking["id"],
        str(other.id),
        closure_id,
        policy.json()["id"],
        series.json()["id"],
        feeds,
    )


def series_body(room_id: str) -> dict[str, Any]:
    """Three days from the second, 11:00 to 12:00 UTC, clear of the booking at 9:00."""
    return {
        "room_id": room_id,
        "title": "Tutorial",
        "starts_at": at(11).isoformat(),
        "ends_at": at(12).isoformat(),
        "recurrence": "FREQ=DAILY;COUNT=3",
    }


def closure_body(room_id: str, *, day: int = 3) -> dict[str, Any]:
    """An evening when nothing is booked."""
    return {
        "room_ids": [room_id],
        "starts_at": at(18, day=day).isoformat(),
        "ends_at": at(22, day=day).isoformat(),
        "reason": "Cleaning",
    }


Body = Callable[[Scene], dict[str, Any]]


def no_body(_: Scene) -> dict[str, Any]:
    return {}


# What an allowed caller sends to each route, and the status it then gets.
CALLS: dict[str, tuple[int, Body]] = {
    "POST /auth/register": (
        201,
        lambda _: {"json": {"email": "new@uni.example", "password": PASSWORD, "full_name": "N"}},
    ),
    "POST /auth/login": (
        200,
        lambda s: {"data": {"username": s.actors[Role.STUDENT].email, "password": PASSWORD}},
    ),
    "GET /auth/me": (200, no_body),
    "POST /auth/logout": (204, no_body),
    "POST /auth/password": (
        200,
        lambda _: {"json": {"current_password": PASSWORD, "new_password": "a new passphrase"}},
    ),
    "GET /rooms": (200, no_body),
    "GET /rooms/{room_id}": (200, no_body),
    "POST /rooms": (201, lambda _: {"json": room_body("New room")}),
    "PATCH /rooms/{room_id}": (200, lambda _: {"json": {"capacity": 20}}),
    "DELETE /rooms/{room_id}": (204, no_body),
    "GET /rooms/{room_id}/opening-hours": (200, no_body),
    "PUT /rooms/{room_id}/opening-hours": (
        200,
        lambda _: {"json": {"weekly": [{"weekday": 1, "opens": "08:00", "closes": "22:00"}]}},
    ),
    "GET /rooms/{room_id}/availability": (
        200,
        lambda _: {"params": {"from": at(0).isoformat(), "to": at(23).isoformat()}},
    ),
    "GET /availability": (
        200,
        lambda s: {
            "params": {"room_id": s.room_id, "from": at(0).isoformat(), "to": at(23).isoformat()}
        },
    ),
    "GET /rooms/free": (
        200,
        lambda _: {"params": {"starts_at": at(13).isoformat(), "ends_at": at(14).isoformat()}},
    ),
    "POST /bookings": (201, lambda s: {"json": booking_body(s.room_id, at(13), at(14))}),
    "GET /bookings": (200, no_body),
    "GET /bookings/{booking_id}": (200, no_body),
    "PATCH /bookings/{booking_id}": (200, lambda _: {"json": {"title": "Renamed"}}),
    "POST /bookings/{booking_id}/cancel": (200, no_body),
    "POST /bookings/{booking_id}/approve": (200, no_body),
    "POST /bookings/{booking_id}/reject": (200, lambda _: {"json": {"reason": "Exams"}}),
    "POST /booking-series": (201, lambda s: {"json": series_body(s.room_id)}),
    "POST /booking-series/preview": (200, lambda s: {"json": series_body(s.room_id)}),
    "GET /booking-series": (200, no_body),
    "GET /booking-series/{series_id}": (200, no_body),
    "PATCH /booking-series/{series_id}": (200, lambda _: {"json": {"title": "Renamed"}}),
    "POST /booking-series/{series_id}/cancel": (200, no_body),
    "POST /booking-series/{series_id}/occurrences": (
        201,
        lambda _: {"json": {"date": at(11, day=3).date().isoformat()}},
    ),
    "POST /booking-series/{series_id}/approve": (200, no_body),
    "POST /booking-series/{series_id}/reject": (200, lambda _: {"json": {"reason": "Exams"}}),
    "POST /calendar/feeds": (201, lambda _: {"json": {"scope": "mine"}}),
    "GET /calendar/feeds": (200, no_body),
    "DELETE /calendar/feeds/{feed}": (204, no_body),
    "GET /calendar/feeds/{feed}": (200, no_body),
    "POST /closures": (
        201,
        lambda s: {"json": closure_body(s.room_id, day=4)},
    ),
    "GET /closures": (200, no_body),
    "GET /closures/{closure_id}": (200, no_body),
    "DELETE /closures/{closure_id}": (204, no_body),
    "POST /bookings/check": (
        200,
        lambda s: {"json": booking_body(s.room_id, at(13), at(14))},
    ),
    "GET /booking-policies": (200, no_body),
    "GET /booking-policies/{policy_id}": (200, no_body),
    "POST /booking-policies": (201, lambda _: {"json": {"name": "Group study"}}),
    "PUT /booking-policies/{policy_id}": (
        200,
        lambda _: {"json": {"name": "Renamed", "max_minutes_per_day": 120}},
    ),
    "DELETE /booking-policies/{policy_id}": (204, no_body),
    "GET /admin/users": (200, no_body),
    "PATCH /admin/users/{user_id}": (200, lambda _: {"json": {"role": "STAFF"}}),
    "GET /admin/audit": (200, no_body),
    "GET /health": (200, no_body),
    "GET /health/ready": (200, no_body),
}


async def call(client: AsyncTestClient[Any], scene: Scene, rule: Rule, actor: str) -> Any:
    headers = {} if actor == ANONYMOUS else scene.actors[actor].headers
    _, body = CALLS[rule.route]
    return await client.request(
        rule.method, scene.path(rule, actor), headers=headers, **body(scene)
    )


def cases(allowed: bool) -> list[Any]:
    return [
        pytest.param(rule, actor, id=f"{rule.route} as {actor}")
        for rule in TABLE
        for actor in ACTORS
        if (actor in rule.allowed) is allowed
    ]


# --- the matrix ---------------------------------------------------------------------------


@pytest.mark.parametrize(("rule", "actor"), cases(allowed=False))
async def test_refused_caller_gets_401_or_403_and_changes_nothing(
    client: AsyncTestClient[Any], container: Container, scene: Scene, rule: Rule, actor: str
) -> None:
    before = await snapshot(container)

    response = await call(client, scene, rule, actor)

    assert_problem(response, rule.refusal(actor))
    if actor == ANONYMOUS:
        assert response.headers["www-authenticate"].startswith("Bearer")
    assert await snapshot(container) == before


@pytest.mark.parametrize(("rule", "actor"), cases(allowed=True))
async def test_allowed_caller_gets_through(
    client: AsyncTestClient[Any], scene: Scene, rule: Rule, actor: str
) -> None:
    response = await call(client, scene, rule, actor)

    assert response.status_code not in {401, 403}, response.text
    assert response.status_code == CALLS[rule.route][0], response.text


def test_every_route_in_the_table_has_a_call() -> None:
    assert set(CALLS) == {rule.route for rule in TABLE}


async def test_every_route_of_the_api_is_in_the_table(client: AsyncTestClient[Any]) -> None:
    """A new route without a row in the table fails here, before anyone forgets its guard."""
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200

    documented = {
        f"{method.upper()} {path}"
        for path, item in response.json()["paths"].items()
        for method in item
        if method in METHODS
    }

    assert documented == {rule.route for rule in TABLE}


def test_readme_shows_exactly_the_table() -> None:
    """README's "Who may do what" table is the rendered TABLE, so the two cannot drift."""
    section = README.read_text(encoding="utf-8").split("### Who may do what\n", 1)[1]
    section = section.split("\n#", 1)[0]
    table = [line for line in section.splitlines() if line.startswith("|")]

    assert "\n".join(table) + "\n" == render_markdown()


# --- other people's bookings (object level) -----------------------------------------------


@pytest.fixture
async def others_booking(
    client: AsyncTestClient[Any], staff: Actor, other: Actor
) -> dict[str, Any]:
    room = await create_room(client, staff, "Lab", requires_approval=True)
    return await book(client, other, room["id"], at(9), at(10))


async def test_student_reading_another_students_booking_gets_404(
    client: AsyncTestClient[Any], student: Actor, others_booking: dict[str, Any]
) -> None:
    """The same 404 as for an unknown id, so ids cannot be probed for existence."""
    response = await client.get(f"/bookings/{others_booking['id']}", headers=student.headers)
    unknown = await client.get(f"/bookings/{UNKNOWN_ID}", headers=student.headers)

    assert assert_problem(response, 404) == assert_problem(unknown, 404)


async def test_student_changing_another_students_booking_gets_404_and_changes_nothing(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    others_booking: dict[str, Any],
) -> None:
    before = await snapshot(container)

    response = await client.patch(
        f"/bookings/{others_booking['id']}",
        json={"title": "Mine now", "starts_at": at(11).isoformat(), "ends_at": at(12).isoformat()},
        headers=student.headers,
    )

    assert_problem(response, 404)
    assert await snapshot(container) == before


async def test_student_cancelling_another_students_booking_gets_404_and_changes_nothing(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    others_booking: dict[str, Any],
) -> None:
    before = await snapshot(container)

    response = await client.post(
        f"/bookings/{others_booking['id']}/cancel", headers=student.headers
    )

    assert_problem(response, 404)
    assert await snapshot(container) == before


async def test_student_approving_their_own_booking_gets_403_and_it_stays_pending(
    client: AsyncTestClient[Any], container: Container, staff: Actor, student: Actor
) -> None:
    room = await create_room(client, staff, "Lab", requires_approval=True)
    booking = await book(client, student, room["id"], at(9), at(10))
    before = await snapshot(container)

    response = await client.post(f"/bookings/{booking['id']}/approve", headers=student.headers)

    assert_problem(response, 403)
    assert await snapshot(container) == before
    again = await client.get(f"/bookings/{booking['id']}", headers=student.headers)
    assert again.json()["status"] == "PENDING"


# --- role escalation ----------------------------------------------------------------------


async def test_register_with_a_role_is_refused_and_creates_no_account(
    client: AsyncTestClient[Any], container: Container
) -> None:
    body = {"email": "eve@uni.example", "password": PASSWORD, "full_name": "Eve", "role": "ADMIN"}

    response = await client.post("/auth/register", json=body)

    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == ["role"]
    assert await snapshot(container) == []


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF])
async def test_non_admin_promoting_themselves_gets_403_and_keeps_their_role(
    client: AsyncTestClient[Any], container: Container, actors: Actors, role: Role
) -> None:
    caller = await actors.make(role, "climber")
    before = await snapshot(container)

    response = await client.patch(
        f"/admin/users/{caller.id}", json={"role": "ADMIN"}, headers=caller.headers
    )

    assert_problem(response, 403)
    assert await snapshot(container) == before
    me = await client.get("/auth/me", headers=caller.headers)
    assert me.json()["role"] == role


# --- mass assignment (property level) -----------------------------------------------------

SERVER_OWNED = {
    "role": "ADMIN",
    "status": "APPROVED",
    "requester_id": UNKNOWN_ID,
    "is_active": False,
    "id": UNKNOWN_ID,
    "created_at": "2020-01-01T00:00:00Z",
}


@pytest.mark.parametrize(("field", "value"), SERVER_OWNED.items(), ids=list(SERVER_OWNED))
async def test_server_owned_field_in_a_body_is_refused_naming_it_and_changes_nothing(
    client: AsyncTestClient[Any], container: Container, write: Write, field: str, value: Any
) -> None:
    before = await snapshot(container)

    response = await client.request(
        write.method, write.path, json={**write.body, field: value}, headers=write.headers
    )

    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == [field]
    assert await snapshot(container) == before
