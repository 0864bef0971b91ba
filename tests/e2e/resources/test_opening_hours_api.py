"""Opening hours over HTTP, on SQLite and PostgreSQL: reading and replacing them, the 400s
naming the field, and bookings refused outside them (422 outside_opening_hours)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e import both_databases
from tests.e2e.actors import UNKNOWN_ID, Actor, at, book, booking_body, create_room, room_body
from tests.e2e.conftest import assert_problem

# The e2e clock stands at Tuesday 2030-01-01 08:00 UTC; `at(h)` is Wednesday 2 January (3).
WEDNESDAY, THURSDAY = 3, 4
NINE_TO_FIVE = {
    "weekly": [{"weekday": day, "opens": "09:00", "closes": "17:00"} for day in range(1, 8)],
    "exceptions": [],
}


container = both_databases.container
client = both_databases.client


@pytest.fixture
async def room(client: httpx.AsyncClient, staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff)  # type: ignore[arg-type]


async def put_hours(
    client: httpx.AsyncClient, actor: Actor, room_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.put(f"/rooms/{room_id}/opening-hours", json=body, headers=actor.headers)


def violations(response: httpx.Response) -> list[tuple[str, str]]:
    body = assert_problem(response, 422)
    return [(v["code"], v["field"]) for v in body["violations"]]


async def test_a_new_room_has_no_hours_and_is_open_at_all_times(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    response = await client.get(f"/rooms/{room['id']}/opening-hours", headers=student.headers)

    assert response.status_code == 200, response.text
    assert response.json() == {"weekly": [], "exceptions": []}
    await book(client, student, room["id"], at(22), at(4, day=3))  # type: ignore[arg-type]


async def test_staff_replace_the_hours_and_everyone_reads_them_back(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    body = {
        "weekly": [
            {"weekday": 1, "opens": "13:00", "closes": "20:00"},
            {"weekday": 1, "opens": "08:00", "closes": "12:00"},
            {"weekday": 7, "opens": "20:00", "closes": "24:00"},
        ],
        "exceptions": [
            {"date": "2030-12-25", "windows": []},
            {"date": "2030-12-24", "windows": [{"opens": "08:00", "closes": "12:00"}]},
        ],
    }

    response = await put_hours(client, staff, room["id"], body)
    read = await client.get(f"/rooms/{room['id']}/opening-hours", headers=student.headers)

    assert response.status_code == 200, response.text
    expected = {
        "weekly": [body["weekly"][1], body["weekly"][0], body["weekly"][2]],
        "exceptions": [body["exceptions"][1], body["exceptions"][0]],
    }
    assert response.json() == {**expected, "bookings_outside": 0}
    assert read.json() == expected


async def test_put_counts_the_upcoming_bookings_it_leaves_outside_and_keeps_them(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    inside = await book(client, student, room["id"], at(10), at(11))  # type: ignore[arg-type]
    outside = await book(client, student, room["id"], at(18), at(19))  # type: ignore[arg-type]

    response = await put_hours(client, staff, room["id"], NINE_TO_FIVE)

    assert response.json()["bookings_outside"] == 1
    for booking in (inside, outside):
        kept = await client.get(f"/bookings/{booking['id']}", headers=student.headers)
        assert kept.json()["status"] == booking["status"]


async def test_a_booking_outside_the_hours_is_422_with_its_reason_code(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    await put_hours(client, staff, room["id"], NINE_TO_FIVE)

    late = await client.post(
        "/bookings", json=booking_body(room["id"], at(16), at(18)), headers=student.headers
    )
    early = await client.post(
        "/bookings", json=booking_body(room["id"], at(8), at(10)), headers=student.headers
    )

    assert violations(late) == [("outside_opening_hours", "ends_at")]
    assert violations(early) == [("outside_opening_hours", "starts_at")]
    await book(client, student, room["id"], at(9), at(17))  # type: ignore[arg-type]


async def test_windows_touching_at_midnight_take_a_booking_across_it(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    body = {
        "weekly": [
            {"weekday": WEDNESDAY, "opens": "20:00", "closes": "24:00"},
            {"weekday": THURSDAY, "opens": "00:00", "closes": "02:00"},
        ]
    }
    await put_hours(client, staff, room["id"], body)

    await book(client, student, room["id"], at(22), at(1, day=3))  # type: ignore[arg-type]
    too_long = await client.post(
        "/bookings", json=booking_body(room["id"], at(23), at(3, day=3)), headers=student.headers
    )
    assert violations(too_long) == [("outside_opening_hours", "ends_at")]


async def test_hours_are_the_wall_clock_of_the_rooms_zone(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    response = await client.post(
        "/rooms",
        json={**room_body("Linden"), "time_zone": "America/New_York"},
        headers=staff.headers,
    )
    room = response.json()
    await put_hours(client, staff, room["id"], NINE_TO_FIVE)  # 14:00-22:00 UTC in January

    refused = await client.post(
        "/bookings", json=booking_body(room["id"], at(10), at(11)), headers=student.headers
    )
    assert violations(refused) == [("outside_opening_hours", "starts_at")]
    await book(client, student, room["id"], at(20), at(22))  # type: ignore[arg-type]


async def test_an_exception_with_no_windows_closes_the_day(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    await put_hours(
        client, staff, room["id"], {"exceptions": [{"date": "2030-01-02", "windows": []}]}
    )

    refused = await client.post(
        "/bookings", json=booking_body(room["id"], at(10), at(11)), headers=student.headers
    )

    assert violations(refused) == [("outside_opening_hours", "starts_at")]
    await book(client, student, room["id"], at(10, day=3), at(11, day=3))  # type: ignore[arg-type]


async def test_moving_a_booking_out_of_the_hours_is_422(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(10), at(11))  # type: ignore[arg-type]
    await put_hours(client, staff, room["id"], NINE_TO_FIVE)

    moved = await client.patch(
        f"/bookings/{booking['id']}",
        json={"starts_at": at(16).isoformat(), "ends_at": at(18).isoformat()},
        headers=student.headers,
    )

    assert violations(moved) == [("outside_opening_hours", "ends_at")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "weekly": [
                    {"weekday": 1, "opens": "08:00", "closes": "12:00"},
                    {"weekday": 1, "opens": "11:00", "closes": "13:00"},
                ]
            },
            "weekly[1].opens",
        ),
        ({"weekly": [{"weekday": 1, "opens": "12:00", "closes": "12:00"}]}, "weekly[0].closes"),
        ({"weekly": [{"weekday": 8, "opens": "08:00", "closes": "12:00"}]}, "weekly[0].weekday"),
        ({"weekly": [{"weekday": 1, "opens": "24:00", "closes": "24:00"}]}, "weekly[0].opens"),
        ({"weekly": [{"weekday": 1, "opens": "8:00", "closes": "12:00"}]}, "weekly[0].opens"),
        ({"weekly": [{"weekday": 1, "opens": "08:00", "closes": "24:30"}]}, "weekly[0].closes"),
        ({"exceptions": [{"date": "2030-02-30", "windows": []}]}, "exceptions[0].date"),
        (
            {"exceptions": [{"date": "2030-02-01", "windows": []}] * 2},
            "exceptions[1].date",
        ),
        (
            {
                "exceptions": [
                    {"date": "2030-02-01", "windows": [{"opens": "10:00", "closes": "09:00"}]}
                ]
            },
            "exceptions[0].windows[0].closes",
        ),
        ({"exceptions": [{"date": "2030-02-01"}]}, "windows"),
        ({"weekly": [], "closed": True}, "closed"),
    ],
)
async def test_malformed_hours_are_400_naming_the_field_and_nothing_changes(
    client: httpx.AsyncClient,
    staff: Actor,
    room: dict[str, Any],
    body: dict[str, Any],
    field: str,
) -> None:
    await put_hours(client, staff, room["id"], NINE_TO_FIVE)

    response = await put_hours(client, staff, room["id"], body)

    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == [field]
    read = await client.get(f"/rooms/{room['id']}/opening-hours", headers=staff.headers)
    assert read.json() == NINE_TO_FIVE


async def test_hours_of_an_unknown_room_are_404(client: httpx.AsyncClient, staff: Actor) -> None:
    assert_problem(
        await client.get(f"/rooms/{UNKNOWN_ID}/opening-hours", headers=staff.headers), 404
    )
    assert_problem(await put_hours(client, staff, UNKNOWN_ID, NINE_TO_FIVE), 404)


async def test_a_student_may_not_replace_hours(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    assert_problem(await put_hours(client, student, room["id"], NINE_TO_FIVE), 403)


async def test_bookings_at_the_ends_of_the_calendar_are_refused_not_broken(
    client: httpx.AsyncClient, staff: Actor, student: Actor, room: dict[str, Any]
) -> None:
    await put_hours(client, staff, room["id"], NINE_TO_FIVE)
    body = booking_body(room["id"], at(10), at(11))

    late = await client.post(
        "/bookings",
        json={**body, "starts_at": "9999-12-31T20:00:00Z", "ends_at": "9999-12-31T23:00:00Z"},
        headers=student.headers,
    )
    early = await client.post(
        "/bookings",
        json={**body, "starts_at": "0001-01-01T10:00:00Z", "ends_at": "0001-01-01T11:00:00Z"},
        headers=student.headers,
    )

    assert set(violations(late)) == {
        ("too_far_ahead", "ends_at"),
        ("outside_opening_hours", "starts_at"),
    }
    assert ("in_the_past", "starts_at") in set(violations(early))
