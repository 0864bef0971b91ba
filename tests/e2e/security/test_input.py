"""Hostile input (OWASP API4 resource consumption, API8 misconfiguration, injection).

Whatever the input, the answer is a clean 4xx problem document, never a 500, and a refused
write leaves the store as it was. The `write` fixture runs each body attack against every JSON
write: register, create and change a room, book and change a booking.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import MAX_BODY_BYTES
from campus_booking.container import Container
from tests.e2e.actors import Actor, at, book, booking_body, create_room, room_body
from tests.e2e.conftest import PASSWORD, assert_problem, register
from tests.e2e.security.conftest import Write
from tests.e2e.security.state import snapshot

JSON = {"Content-Type": "application/json"}


def fields(problem: dict[str, Any]) -> list[str]:
    """The fields a 400 names in `errors`, or a 422 in `violations`."""
    return [error["field"] for error in problem.get("errors") or problem["violations"]]


def padded(body: dict[str, Any], size: int) -> bytes:
    """`body` as JSON of exactly `size` bytes: white space between tokens is still valid JSON."""
    text = json.dumps(body).encode()
    return text[:-1] + b" " * (size - len(text)) + b"}"


async def send(client: AsyncTestClient[Any], write: Write, content: Any, **headers: str) -> Any:
    return await client.request(
        write.method, write.path, content=content, headers={**write.headers, **JSON, **headers}
    )


# --- size and shape of the body -----------------------------------------------------------


async def test_body_of_exactly_64_kib_is_accepted(
    client: AsyncTestClient[Any], write: Write
) -> None:
    """The control for the next test: the limit is 64 KiB, not less."""
    response = await send(client, write, padded(write.body, MAX_BODY_BYTES))

    assert response.status_code == write.ok, response.text


async def test_body_over_64_kib_is_refused_with_413(
    client: AsyncTestClient[Any], container: Container, write: Write
) -> None:
    before = await snapshot(container)

    response = await send(client, write, padded(write.body, MAX_BODY_BYTES + 1))

    assert_problem(response, 413)
    assert await snapshot(container) == before


async def test_streamed_body_over_64_kib_without_a_length_is_refused_with_413(
    client: AsyncTestClient[Any], container: Container, write: Write
) -> None:
    """Chunked, so no Content-Length to check up front: the limit must hold while reading.

    Litestar's test client cannot stream a body, so this goes through httpx's ASGI transport.
    """
    body = padded(write.body, MAX_BODY_BYTES + 1)

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    before = await snapshot(container)
    transport = httpx.ASGITransport(app=client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as streaming:
        request = streaming.build_request(
            write.method, write.path, content=chunks(), headers={**write.headers, **JSON}
        )
        assert request.headers["transfer-encoding"] == "chunked"
        response = await streaming.send(request)

    assert_problem(response, 413)
    assert await snapshot(container) == before


DEPTH = 10_000
NESTED = {
    "unclosed arrays": "[" * DEPTH,
    "arrays": "[" * DEPTH + "]" * DEPTH,
    "objects": '{"a":' * DEPTH + "1" + "}" * DEPTH,
}


@pytest.mark.parametrize("payload", NESTED.values(), ids=list(NESTED))
async def test_deeply_nested_json_is_refused_with_400(
    client: AsyncTestClient[Any], container: Container, write: Write, payload: str
) -> None:
    before = await snapshot(container)

    assert_problem(await send(client, write, payload), 400)
    assert await snapshot(container) == before


@pytest.mark.parametrize(
    "payload", ["[]", '"x"', "1", "null"], ids=["array", "string", "number", "null"]
)
async def test_json_that_is_not_an_object_is_refused_with_400(
    client: AsyncTestClient[Any], container: Container, write: Write, payload: str
) -> None:
    before = await snapshot(container)

    assert_problem(await send(client, write, payload), 400)
    assert await snapshot(container) == before


# --- content types ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/xml"],
    ids=["text", "form", "xml"],
)
async def test_json_body_sent_as_another_content_type_is_refused_with_415(
    client: AsyncTestClient[Any], container: Container, write: Write, content_type: str
) -> None:
    """A page on any site may POST text/plain or a form cross-site without a CORS preflight."""
    before = await snapshot(container)

    response = await send(client, write, json.dumps(write.body), **{"Content-Type": content_type})

    assert_problem(response, 415)
    assert await snapshot(container) == before


async def test_xml_body_is_refused_with_415(
    client: AsyncTestClient[Any], container: Container, write: Write
) -> None:
    xml = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    before = await snapshot(container)

    response = await send(client, write, xml, **{"Content-Type": "application/xml"})

    assert_problem(response, 415)
    assert await snapshot(container) == before


async def test_json_with_a_charset_parameter_is_accepted(
    client: AsyncTestClient[Any], write: Write
) -> None:
    """The control for the 415s: parameters of the JSON media type are not refused."""
    response = await send(
        client, write, json.dumps(write.body), **{"Content-Type": "application/json; charset=utf-8"}
    )

    assert response.status_code == write.ok, response.text


# --- email spellings ----------------------------------------------------------------------

EMAIL = "ana@uni.example"
SPELLINGS = {
    "upper case": "ANA@UNI.EXAMPLE",
    "full-width name": "ＡＮＡ@uni.example",  # noqa: RUF001
    "full-width everything": "ａｎａ＠ｕｎｉ．ｅｘａｍｐｌｅ",  # noqa: RUF001
    "mathematical bold": "𝐚𝐧𝐚@uni.example",  # noqa: RUF001
    "circled letters": "ⓐⓝⓐ@uni.example",
    "surrounding spaces": f"  {EMAIL}  ",
}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=list(SPELLINGS))
async def test_another_spelling_of_a_taken_email_is_a_conflict(
    client: AsyncTestClient[Any], container: Container, spelling: str
) -> None:
    """NFKC and lower case fold these into one address, so they cannot open a second account."""
    assert (await register(client, EMAIL)).status_code == 201
    before = await snapshot(container)

    assert_problem(await register(client, spelling), 409)
    assert await snapshot(container) == before


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("ana@bücher.example", "ana@xn--bcher-kva.example"),
        ("ana@xn--bcher-kva.example", "ana@BÜCHER.example"),
    ],
    ids=["unicode then idna", "idna then unicode"],
)
async def test_idna_and_unicode_spellings_of_one_domain_are_one_account(
    client: AsyncTestClient[Any], container: Container, first: str, second: str
) -> None:
    registered = await register(client, first)
    assert registered.status_code == 201, registered.text
    before = await snapshot(container)

    assert_problem(await register(client, second), 409)
    assert await snapshot(container) == before
    assert registered.json()["email"] == "ana@xn--bcher-kva.example"
    signed_in = await client.post("/auth/login", data={"username": second, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text


INVISIBLE = {
    "zero-width space": "ana\u200b@uni.example",
    "soft hyphen": "a\u00adna@uni.example",
    "right-to-left override": "\u202eana@uni.example",
}


@pytest.mark.parametrize("email", INVISIBLE.values(), ids=list(INVISIBLE))
async def test_email_with_an_invisible_character_is_refused(
    client: AsyncTestClient[Any], container: Container, email: str
) -> None:
    """Otherwise `ana` and `a\u00adna` would look alike in every list yet be two accounts."""
    assert fields(assert_problem(await register(client, email), 400)) == ["email"]
    assert await snapshot(container) == []


# --- injection strings are data -----------------------------------------------------------

HOSTILE = {
    "sql drop": "'; DROP TABLE bookings; --",
    "sql tautology": "' OR 1=1 --",
    "script": "<script>alert(1)</script>",
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
async def test_hostile_room_name_is_stored_and_returned_verbatim(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, text: str
) -> None:
    """Bound parameters keep SQL out; JSON, never HTML, keeps the script inert for clients."""
    room = await create_room(client, staff, text)

    fetched = await client.get(f"/rooms/{room['id']}", headers=student.headers)
    listed = await client.get("/rooms", headers=student.headers)

    assert fetched.headers["content-type"].startswith("application/json")
    assert (room["name"], fetched.json()["name"]) == (text, text)
    assert [room["name"] for room in listed.json()["items"]] == [text]
    assert (await client.get("/bookings", headers=student.headers)).status_code == 200


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
async def test_hostile_booking_title_is_stored_and_returned_verbatim(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, text: str
) -> None:
    room = await create_room(client, staff, "Lab")
    booking = await book(client, student, room["id"], at(9), at(10), title=text)

    fetched = await client.get(f"/bookings/{booking['id']}", headers=student.headers)
    listed = await client.get("/bookings", headers=student.headers)

    assert (booking["title"], fetched.json()["title"]) == (text, text)
    assert [booking["title"] for booking in listed.json()["items"]] == [text]


@pytest.mark.parametrize("text", HOSTILE.values(), ids=list(HOSTILE))
async def test_hostile_full_name_is_stored_and_returned_verbatim(
    client: AsyncTestClient[Any], admin: Actor, text: str
) -> None:
    registered = await register(client, "eve@uni.example", full_name=text)
    assert registered.status_code == 201, registered.text

    listed = await client.get("/admin/users", params={"q": "eve@"}, headers=admin.headers)

    assert registered.json()["full_name"] == text
    assert [user["full_name"] for user in listed.json()["items"]] == [text]


@pytest.mark.parametrize(
    "text", [*HOSTILE.values(), "%", "_"], ids=[*HOSTILE, "percent", "underscore"]
)
async def test_hostile_search_text_matches_nothing(
    client: AsyncTestClient[Any], admin: Actor, staff: Actor, text: str
) -> None:
    """Filters are bound parameters, and LIKE wildcards in `q` are escaped, not wildcards."""
    await create_room(client, staff, "Lab", building="Main")

    users = await client.get("/admin/users", params={"q": text}, headers=admin.headers)
    rooms = await client.get("/rooms", params={"building": text}, headers=staff.headers)

    assert (users.status_code, users.json()["items"]) == (200, [])
    assert (rooms.status_code, rooms.json()["items"]) == (200, [])


# --- numbers ------------------------------------------------------------------------------

# A numeric string is not a number: bodies are decoded strictly, as the schema says.
BAD_COUNTS = [
    pytest.param("3", id="numeric string"),
    pytest.param(-1, id="negative"),
    pytest.param(0, id="zero"),
    pytest.param(10**30, id="huge"),
    pytest.param(1.5, id="fraction"),
    pytest.param(True, id="bool"),
]


@pytest.fixture(params=["create room", "change room", "book", "change booking"])
async def counted(
    request: pytest.FixtureRequest, client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> tuple[Write, str]:
    """A write with a count in its body, and the name of that count."""
    room = await create_room(client, staff, "Lab", capacity=10)
    booking = await book(client, student, room["id"], at(9), at(10))
    return {
        "create room": (Write("POST", "/rooms", room_body("Other"), staff, 201), "capacity"),
        "change room": (Write("PATCH", f"/rooms/{room['id']}", {}, staff, 200), "capacity"),
        "book": (
            Write("POST", "/bookings", booking_body(room["id"], at(11), at(12)), student, 201),
            "attendees",
        ),
        "change booking": (
            Write("PATCH", f"/bookings/{booking['id']}", {}, student, 200),
            "attendees",
        ),
    }[request.param]


@pytest.mark.parametrize("value", BAD_COUNTS)
async def test_count_that_is_not_a_positive_integer_in_range_is_refused(
    client: AsyncTestClient[Any], container: Container, counted: tuple[Write, str], value: Any
) -> None:
    write, field = counted
    before = await snapshot(container)

    response = await client.request(
        write.method, write.path, json={**write.body, field: value}, headers=write.headers
    )

    assert fields(assert_problem(response, 400)) == [field]
    assert await snapshot(container) == before


LISTINGS = ["/rooms", "/bookings", "/admin/users", "/admin/audit"]
BAD_PAGING = [
    pytest.param("limit", "0", id="limit 0"),
    pytest.param("limit", "101", id="limit 101"),
    pytest.param("limit", "-1", id="limit -1"),
    pytest.param("limit", str(10**30), id="limit huge"),
    pytest.param("limit", "1.5", id="limit fraction"),
    pytest.param("offset", "-1", id="offset -1"),
    pytest.param("offset", "1.5", id="offset fraction"),
    pytest.param("offset", str(10**30), id="offset huge"),
]


@pytest.mark.parametrize("path", LISTINGS)
@pytest.mark.parametrize(("name", "value"), BAD_PAGING)
async def test_paging_outside_its_range_is_refused(
    client: AsyncTestClient[Any], admin: Actor, path: str, name: str, value: str
) -> None:
    response = await client.get(path, params={name: value}, headers=admin.headers)

    assert fields(assert_problem(response, 400)) == [name]


@pytest.mark.parametrize(
    "value", ["0", "-1", str(10**30), "1.5"], ids=["zero", "negative", "huge", "fraction"]
)
async def test_min_capacity_outside_its_range_is_refused(
    client: AsyncTestClient[Any], student: Actor, value: str
) -> None:
    response = await client.get("/rooms", params={"min_capacity": value}, headers=student.headers)

    assert fields(assert_problem(response, 400)) == ["min_capacity"]


# --- datetimes ----------------------------------------------------------------------------


def slot_case(name: str, starts_at: str, ends_at: str, field: str, status: int = 400) -> Any:
    return pytest.param(starts_at, ends_at, field, status, id=name)


SLOTS = [
    # Well-formed and in range: only in the past (422 `in_the_past`).
    slot_case(
        "year 1 UTC", "0001-01-01T00:00:00+00:00", "0001-01-01T01:00:00+00:00", "starts_at", 422
    ),
    slot_case(
        "year 1 east of UTC",
        "0001-01-01T00:00:00+05:00",
        "0001-01-01T06:00:00+05:00",
        "starts_at",
    ),
    slot_case("year 1 naive", "0001-01-01T00:00:00", "0001-01-01T01:00:00", "starts_at"),
    slot_case(
        "year 9999 west of UTC",
        "9999-12-31T18:00:00-05:00",
        "9999-12-31T20:00:00-05:00",
        "ends_at",
    ),
    slot_case("year 9999 naive", "9999-12-31T20:00:00", "9999-12-31T21:00:00", "starts_at"),
]


@pytest.mark.parametrize(("starts_at", "ends_at", "field", "status"), SLOTS)
async def test_booking_at_the_ends_of_the_calendar_is_refused(
    client: AsyncTestClient[Any],
    container: Container,
    staff: Actor,
    student: Actor,
    starts_at: str,
    ends_at: str,
    field: str,
    status: int,
) -> None:
    room = await create_room(client, staff, "Lab")
    body = {**booking_body(room["id"], at(9), at(10)), "starts_at": starts_at, "ends_at": ends_at}
    before = await snapshot(container)

    response = await client.post("/bookings", json=body, headers=student.headers)

    assert field in fields(assert_problem(response, status))
    assert await snapshot(container) == before


@pytest.mark.parametrize(("starts_at", "ends_at", "field", "status"), SLOTS)
async def test_moving_a_booking_to_the_ends_of_the_calendar_is_refused(
    client: AsyncTestClient[Any],
    container: Container,
    staff: Actor,
    student: Actor,
    starts_at: str,
    ends_at: str,
    field: str,
    status: int,
) -> None:
    room = await create_room(client, staff, "Lab")
    booking = await book(client, student, room["id"], at(9), at(10))
    before = await snapshot(container)

    response = await client.patch(
        f"/bookings/{booking['id']}",
        json={"starts_at": starts_at, "ends_at": ends_at},
        headers=student.headers,
    )

    assert field in fields(assert_problem(response, status))
    assert await snapshot(container) == before


# (name, value, the status wanted)
WINDOW_EDGES = [
    ("year 1 UTC", "0001-01-01T00:00:00Z", 200),
    ("year 1 east of UTC", "0001-01-01T00:00:00+05:00", 400),
    ("year 1 naive", "0001-01-01T00:00:00", 400),
    ("year 9999 UTC", "9999-12-31T23:00:00Z", 200),
    ("year 9999 west of UTC", "9999-12-31T23:00:00-05:00", 400),
    ("year 9999 naive", "9999-12-31T23:00:00", 400),
]


@pytest.mark.parametrize(
    ("path", "bound", "value", "status"),
    [
        pytest.param(path, bound, value, status, id=f"{path} {bound} {name}")
        for name, value, status in WINDOW_EDGES
        for path in ("/bookings", "/admin/audit")
        for bound in ("from", "to")
    ],
)
async def test_listing_window_at_the_ends_of_the_calendar(
    client: AsyncTestClient[Any], admin: Actor, path: str, bound: str, value: str, status: int
) -> None:
    """An instant UTC can hold is a window like any other; one it cannot hold is a 400."""
    response = await client.get(path, params={bound: value}, headers=admin.headers)

    if status == 200:
        assert response.status_code == 200, response.text
        assert isinstance(response.json()["items"], list)
    else:
        assert fields(assert_problem(response, status)) == [bound]
