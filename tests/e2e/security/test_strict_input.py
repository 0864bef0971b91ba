"""Types are as strict as the OpenAPI document says (issue 12).

A string is not a number, 0 is not false, an epoch number is not a time: every value whose
JSON type or format differs from the schema is a 400 naming the field, and the store is left
as it was. Error messages say what to send instead.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import MAX_BODY_BYTES
from campus_booking.container import Container
from tests.e2e.actors import Actor, at, book, booking_body, create_room, room_body
from tests.e2e.conftest import assert_problem
from tests.e2e.security.conftest import Write
from tests.e2e.security.state import snapshot

JSON = {"Content-Type": "application/json"}


def errors(problem: dict[str, Any]) -> dict[str, str]:
    return {error["field"]: error["message"] for error in problem["errors"]}


# --- bodies: JSON types -------------------------------------------------------------------


@pytest.fixture
async def room(client: AsyncTestClient[Any], staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff, "Lab", capacity=10)


@pytest.fixture
async def booking(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> dict[str, Any]:
    return await book(client, student, room["id"], at(9), at(10))


LOOSE_BODIES = [
    ("attendees as a numeric string", "book", "attendees", "4"),
    ("starts_at as an epoch integer", "book", "starts_at", 1_900_000_000),
    ("starts_at as an epoch fraction", "book", "starts_at", 1_900_000_000.5),
    ("capacity as a numeric string", "create room", "capacity", "12"),
    ("capacity as a float with no fraction", "create room", "capacity", 12.0),
    ("requires_approval as 1", "create room", "requires_approval", 1),
    ("requires_approval as 'true'", "change room", "requires_approval", "true"),
    ("is_active as 0", "change user", "is_active", 0),
    ("is_active as 'true'", "change user", "is_active", "true"),
    ("is_active as 'false'", "change user", "is_active", "false"),
    ("title as a number", "change booking", "title", 5),
    ("room_id as a number", "book", "room_id", 5),
]


@pytest.fixture
async def writes(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    admin: Actor,
    room: dict[str, Any],
    booking: dict[str, Any],
) -> dict[str, Write]:
    return {
        "book": Write("POST", "/bookings", booking_body(room["id"], at(11), at(12)), student, 201),
        "change booking": Write("PATCH", f"/bookings/{booking['id']}", {}, student, 200),
        "create room": Write("POST", "/rooms", room_body("Other"), staff, 201),
        "change room": Write("PATCH", f"/rooms/{room['id']}", {}, staff, 200),
        "change user": Write("PATCH", f"/admin/users/{student.id}", {}, admin, 200),
    }


@pytest.mark.parametrize(
    ("write_name", "field", "value"),
    [pytest.param(w, f, v, id=name) for name, w, f, v in LOOSE_BODIES],
)
async def test_body_value_of_another_json_type_is_refused_naming_the_field(
    client: AsyncTestClient[Any],
    container: Container,
    writes: dict[str, Write],
    write_name: str,
    field: str,
    value: Any,
) -> None:
    write = writes[write_name]
    before = await snapshot(container)

    response = await client.request(
        write.method, write.path, json={**write.body, field: value}, headers=write.headers
    )

    assert list(errors(assert_problem(response, 400))) == [field]
    assert await snapshot(container) == before


async def test_the_same_writes_with_the_schemas_types_are_accepted(
    client: AsyncTestClient[Any], writes: dict[str, Write]
) -> None:
    """The control: each write above succeeds once its value has the JSON type of the schema."""
    proper = {
        "book": {"attendees": 4, "starts_at": "2030-01-02T13:00:00Z"},
        "create room": {"capacity": 12, "requires_approval": True},
        "change room": {"requires_approval": True},
        "change booking": {"title": "Renamed"},
        "change user": {"is_active": True},
    }
    for name, changes in proper.items():
        write = writes[name]
        body = {**write.body, **changes}
        if name == "book":
            body["ends_at"] = "2030-01-02T14:00:00Z"
        response = await client.request(write.method, write.path, json=body, headers=write.headers)
        assert response.status_code == write.ok, (name, response.text)


async def test_zero_does_not_deactivate_a_user(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    await client.patch(f"/admin/users/{student.id}", json={"is_active": 0}, headers=admin.headers)

    me = await client.get("/auth/me", headers=student.headers)

    assert me.status_code == 200, me.text
    assert me.json()["is_active"] is True


async def test_invalid_enum_value_in_a_body_lists_the_allowed_values(
    client: AsyncTestClient[Any], admin: Actor, student: Actor
) -> None:
    response = await client.patch(
        f"/admin/users/{student.id}", json={"role": "ROOT"}, headers=admin.headers
    )

    message = errors(assert_problem(response, 400))["role"]
    assert all(role in message for role in ("STUDENT", "STAFF", "ADMIN")), message


# --- bodies: empty, BOM, too large --------------------------------------------------------


@pytest.mark.parametrize("content", [b"", None], ids=["empty", "missing"])
async def test_empty_or_missing_body_says_a_json_body_is_required(
    client: AsyncTestClient[Any], student: Actor, content: bytes | None
) -> None:
    headers = {**student.headers, **(JSON if content is not None else {})}

    response = await client.post("/bookings", content=content, headers=headers)

    message = errors(assert_problem(response, 400))["body"]
    assert "JSON body is required" in message


async def test_body_with_a_byte_order_mark_says_so(
    client: AsyncTestClient[Any], room: dict[str, Any], student: Actor
) -> None:
    body = booking_body(room["id"], at(11), at(12))

    response = await client.post(
        "/bookings",
        content=b"\xef\xbb\xbf" + json.dumps(body).encode(),
        headers={**student.headers, **JSON},
    )

    assert "byte order mark" in errors(assert_problem(response, 400))["body"]


async def test_body_over_the_limit_names_the_limit(
    client: AsyncTestClient[Any], student: Actor
) -> None:
    response = await client.post(
        "/bookings", content=b" " * (MAX_BODY_BYTES + 1), headers={**student.headers, **JSON}
    )

    assert "65536 bytes" in assert_problem(response, 413)["detail"]


# --- query parameters ---------------------------------------------------------------------

LOOSE_QUERIES = [
    ("/bookings", "to", "0.5"),
    ("/bookings", "to", "0"),
    ("/bookings", "from", "1900000000"),
    ("/bookings", "from", "2030-01-02T09:00:00"),
    ("/bookings", "from", "2030-01-02 09:00:00+00:00"),
    ("/bookings", "from", ""),
    ("/admin/audit", "to", "0.5"),
    ("/admin/audit", "from", "x"),
    ("/rooms", "limit", "1.0"),
    ("/rooms", "limit", "1e1"),
    ("/rooms", "offset", ""),
    ("/rooms", "min_capacity", "2.0"),
    ("/rooms", "include_inactive", "1"),
    ("/rooms", "include_inactive", "0"),
    ("/rooms", "include_inactive", "True"),
    ("/rooms", "include_inactive", ""),
    ("/rooms", "feature", ""),
    ("/bookings", "room_id", "3fa85f6457174562b3fc2c963f66afa6"),
    ("/bookings", "room_id", "{3fa85f64-5717-4562-b3fc-2c963f66afa6}"),
    ("/bookings", "room_id", ""),
]


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [pytest.param(p, n, v, id=f"{p} {n}={v!r}") for p, n, v in LOOSE_QUERIES],
)
async def test_query_value_not_written_as_its_schema_says_is_refused_naming_it(
    client: AsyncTestClient[Any], admin: Actor, path: str, name: str, value: str
) -> None:
    response = await client.get(path, params={name: value}, headers=admin.headers)

    assert list(errors(assert_problem(response, 400))) == [name]


WELL_FORMED_QUERIES = [
    ("/bookings", "to", "2030-01-02T09:00:00Z"),
    ("/bookings", "to", "2030-01-02t09:00:00.5z"),
    ("/bookings", "from", "2030-01-02T09:00:00+01:00"),
    ("/admin/audit", "from", "2030-01-02T09:00:00-05:00"),
    ("/rooms", "limit", "10"),
    ("/rooms", "include_inactive", "true"),
    ("/rooms", "include_inactive", "false"),
    ("/rooms", "feature", "projector"),
    ("/bookings", "room_id", "3fa85f64-5717-4562-b3fc-2c963f66afa6"),
    ("/bookings", "status", "PENDING"),
]


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [pytest.param(p, n, v, id=f"{p} {n}={v!r}") for p, n, v in WELL_FORMED_QUERIES],
)
async def test_query_value_written_as_its_schema_says_is_accepted(
    client: AsyncTestClient[Any], admin: Actor, path: str, name: str, value: str
) -> None:
    """The control for the refusals above."""
    response = await client.get(path, params={name: value}, headers=admin.headers)

    assert response.status_code == 200, response.text


async def test_a_plus_sent_unencoded_in_a_time_gets_a_hint(
    client: AsyncTestClient[Any], admin: Actor
) -> None:
    response = await client.get("/bookings?from=2030-01-02T09:00:00+01:00", headers=admin.headers)

    assert "%2B" in errors(assert_problem(response, 400))["from"]


@pytest.mark.parametrize(
    ("path", "name", "allowed"),
    [
        ("/bookings", "status", ("PENDING", "APPROVED", "REJECTED", "CANCELLED")),
        ("/admin/users", "role", ("STUDENT", "STAFF", "ADMIN")),
    ],
)
async def test_invalid_enum_value_in_a_query_lists_the_allowed_values(
    client: AsyncTestClient[Any], admin: Actor, path: str, name: str, allowed: tuple[str, ...]
) -> None:
    response = await client.get(path, params={name: "nope"}, headers=admin.headers)

    message = errors(assert_problem(response, 400))[name]
    assert all(value in message for value in allowed), message


# --- what the schema says ------------------------------------------------------------------


async def test_schema_states_the_rules_that_were_only_in_code(
    client: AsyncTestClient[Any],
) -> None:
    document = (await client.get("/docs/openapi.json")).json()
    schemas = document["components"]["schemas"]

    def prop(schema: str, name: str) -> dict[str, Any]:
        found: dict[str, Any] = schemas[schema]["properties"][name]
        return next((s for s in found.get("oneOf", []) if s.get("type") != "null"), found)

    register = next(s for n, s in schemas.items() if n.startswith("RegisterRequest"))
    assert register["properties"]["email"].get("format") == "email"
    for schema, name in [("RoomIn", "name"), ("RoomIn", "building"), ("BookingIn", "title")]:
        assert "pattern" in prop(schema, name), (schema, name)
    assert "pattern" in prop("RoomIn", "features")["items"]
    rooms = document["paths"]["/rooms"]["get"]["parameters"]
    feature = next(p for p in rooms if p["name"] == "feature")
    assert feature["schema"]["items"]["minLength"] == 1, feature
    assert "pattern" in feature["schema"]["items"], feature


@pytest.mark.parametrize(
    ("write_name", "field", "value", "says"),
    [
        pytest.param("create room", "name", "Lab\x1b[31m", "control", id="room name"),
        pytest.param("create room", "name", " \u2003\n", "blank", id="blank room name"),
        pytest.param("change booking", "title", "a\u202eb", "invisible", id="booking title"),
        pytest.param("change room", "features", ["pro jector"], "tag", id="feature tag"),
    ],
)
async def test_a_broken_pattern_is_explained_not_quoted(
    client: AsyncTestClient[Any],
    writes: dict[str, Write],
    write_name: str,
    field: str,
    value: Any,
    says: str,
) -> None:
    write = writes[write_name]

    response = await client.request(
        write.method, write.path, json={**write.body, field: value}, headers=write.headers
    )

    message = next(iter(errors(assert_problem(response, 400)).values()))
    assert says in message
    assert "regex" not in message


@pytest.mark.parametrize(
    ("path", "name", "value", "says"),
    [
        pytest.param("/rooms", "building", " ", "blank", id="blank building"),
        pytest.param("/admin/users", "q", "a\x9e", "control", id="control in a search"),
    ],
)
async def test_query_text_breaking_its_pattern_is_refused_naming_it(
    client: AsyncTestClient[Any], admin: Actor, path: str, name: str, value: str, says: str
) -> None:
    response = await client.get(path, params={name: value}, headers=admin.headers)

    message = errors(assert_problem(response, 400))[name]
    assert says in message
    assert "regex" not in message


@pytest.mark.parametrize(
    ("decision", "reason", "says"),
    [
        pytest.param("reject", " \n ", "blank", id="blank rejection"),
        pytest.param("reject", "No\tway", "control", id="tab in a rejection"),
        pytest.param("approve", "Fine\u200b", "invisible", id="invisible in an approval"),
    ],
)
async def test_a_decision_reason_breaking_its_pattern_is_refused(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    decision: str,
    reason: str,
    says: str,
) -> None:
    hall = await create_room(client, staff, "Hall", capacity=10, requires_approval=True)
    pending = await book(client, student, hall["id"], at(9), at(10))

    response = await client.post(
        f"/bookings/{pending['id']}/{decision}", json={"reason": reason}, headers=staff.headers
    )

    message = errors(assert_problem(response, 400))["reason"]
    assert says in message
    assert "regex" not in message


# --- query parameters the operation does not have -----------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/rooms?limt=5"), ("GET", "/auth/me?debug=1"), ("POST", "/auth/logout?all=true")],
)
async def test_an_unknown_query_parameter_is_refused_naming_it(
    client: AsyncTestClient[Any], student: Actor, method: str, path: str
) -> None:
    response = await client.request(method, path, headers=student.headers)

    problem = assert_problem(response, 400)
    assert list(errors(problem)) == [path.split("?")[1].split("=")[0]]


async def test_the_docs_take_any_query(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/docs?urls.primaryName=v1")).status_code == 200
