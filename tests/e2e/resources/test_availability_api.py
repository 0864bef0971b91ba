"""Availability over HTTP, on SQLite and PostgreSQL: one room's free and busy time, the grid
of many rooms, and free-room search, whose every answer the booking routes then accept."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e import both_databases
from tests.e2e.actors import UNKNOWN_ID, Actor, at, book, booking_body, create_room, instant
from tests.e2e.conftest import assert_problem

# The e2e clock stands at Tuesday 2030-01-01 08:00 UTC; `at(h)` is Wednesday 2 January.
NINE_TO_FIVE = {
    "weekly": [{"weekday": day, "opens": "09:00", "closes": "17:00"} for day in range(1, 8)]
}
DAY = {"from": at(0).isoformat(), "to": at(0, day=3).isoformat()}


container = both_databases.container
client = both_databases.client


async def room(client: httpx.AsyncClient, staff: Actor, name: str, **fields: Any) -> str:
    created = await create_room(client, staff, name, **fields)  # type: ignore[arg-type]
    return str(created["id"])


async def put_hours(client: httpx.AsyncClient, staff: Actor, room_id: str) -> None:
    response = await client.put(
        f"/rooms/{room_id}/opening-hours", json=NINE_TO_FIVE, headers=staff.headers
    )
    assert response.status_code == 200, response.text


async def close(
    client: httpx.AsyncClient, staff: Actor, room_id: str, start: datetime, end: datetime
) -> None:
    body = {
        "room_ids": [room_id],
        "starts_at": start.isoformat(),
        "ends_at": end.isoformat(),
        "reason": "Cleaning",
    }
    response = await client.post("/closures", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text


def interval(start: datetime, end: datetime) -> dict[str, str]:
    return {
        "starts_at": start.isoformat().replace("+00:00", "Z"),
        "ends_at": end.isoformat().replace("+00:00", "Z"),
    }


def fields_named(response: httpx.Response) -> list[str]:
    return [error["field"] for error in assert_problem(response, 400)["errors"]]


# --- one room ------------------------------------------------------------------------------


async def test_a_room_shows_its_open_busy_and_free_time_with_ids_of_the_callers_own_bookings(
    client: httpx.AsyncClient, staff: Actor, student: Actor, other: Actor
) -> None:
    room_id = await room(client, staff, "Seminar room", requires_approval=True)
    await put_hours(client, staff, room_id)
    mine = await book(client, student, room_id, at(10), at(11), title="My secret project")
    theirs = await book(client, other, room_id, at(12), at(13), title="Their secret project")
    await close(client, staff, room_id, at(15), at(16))

    seen = {}
    for actor in (student, other, staff):
        response = await client.get(
            f"/rooms/{room_id}/availability", params=DAY, headers=actor.headers
        )
        assert response.status_code == 200, response.text
        seen[actor.email] = response.json()

    body = seen[student.email]
    assert body["room_id"] == room_id
    assert body["time_zone"] == "UTC"
    assert (instant(body["from"]), instant(body["to"])) == (at(0), at(0, day=3))
    assert body["open"] == [interval(at(9), at(17))]
    assert body["free"] == [
        interval(at(9), at(10)),
        interval(at(11), at(12)),
        interval(at(13), at(15)),
        interval(at(16), at(17)),
    ]
    booking = {"kind": "booking", "status": "PENDING"}
    assert body["busy"] == [
        {**interval(at(10), at(11)), **booking, "booking_id": mine["id"]},
        {**interval(at(12), at(13)), **booking},
        {**interval(at(15), at(16)), "kind": "closure", "reason": "Cleaning"},
    ]
    ids = {name: [b.get("booking_id") for b in view["busy"]] for name, view in seen.items()}
    assert ids[other.email] == [None, theirs["id"], None]
    assert ids[staff.email] == [mine["id"], theirs["id"], None]
    for view in seen.values():  # titles never show here, whoever asks
        assert "secret" not in str(view)


async def test_busy_time_is_clipped_to_the_window_and_a_room_without_hours_is_open_all_of_it(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    room_id = await room(client, staff, "Open all hours")
    made = await book(client, student, room_id, at(22, day=1), at(2))

    response = await client.get(
        f"/rooms/{room_id}/availability", params=DAY, headers=student.headers
    )

    body = response.json()
    assert body["open"] == [interval(at(0), at(0, day=3))]
    assert body["busy"] == [
        {
            **interval(at(0), at(2)),
            "kind": "booking",
            "status": "APPROVED",
            "booking_id": made["id"],
        }
    ]
    assert body["free"] == [interval(at(2), at(0, day=3))]


async def test_a_room_no_longer_in_use_has_no_open_time(
    client: httpx.AsyncClient, staff: Actor, admin: Actor, student: Actor
) -> None:
    room_id = await room(client, staff, "Old lab")
    assert (await client.delete(f"/rooms/{room_id}", headers=admin.headers)).status_code == 204

    body = (
        await client.get(f"/rooms/{room_id}/availability", params=DAY, headers=student.headers)
    ).json()

    assert (body["open"], body["free"]) == ([], [])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": at(10).isoformat(), "to": at(9).isoformat()}, "to"),
        ({"from": at(10).isoformat(), "to": at(10).isoformat()}, "to"),
        (
            {"from": at(0).isoformat(), "to": (at(0) + timedelta(days=31, seconds=1)).isoformat()},
            "to",
        ),
        ({"from": "2030-01-02T00:00:00", "to": at(9).isoformat()}, "from"),
        ({"from": "tomorrow", "to": at(9).isoformat()}, "from"),
        ({"to": at(9).isoformat()}, "from"),
        ({"from": at(0).isoformat(), "to": at(9).isoformat(), "title": "x"}, "title"),
    ],
)
async def test_a_window_that_is_not_a_window_of_at_most_31_days_is_400_naming_the_field(
    client: httpx.AsyncClient, staff: Actor, student: Actor, params: dict[str, str], field: str
) -> None:
    room_id = await room(client, staff, "Lab")

    response = await client.get(
        f"/rooms/{room_id}/availability", params=params, headers=student.headers
    )

    assert field in fields_named(response)


async def test_31_days_is_the_longest_window_and_an_unknown_room_is_404(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    room_id = await room(client, staff, "Lab")
    month = {"from": at(0).isoformat(), "to": (at(0) + timedelta(days=31)).isoformat()}

    found = await client.get(
        f"/rooms/{room_id}/availability", params=month, headers=student.headers
    )
    unknown = await client.get(
        f"/rooms/{UNKNOWN_ID}/availability", params=month, headers=student.headers
    )

    assert found.status_code == 200, found.text
    assert_problem(unknown, 404)


# --- the grid ------------------------------------------------------------------------------


async def test_the_grid_gives_each_room_a_digit_per_interval_the_highest_state_winning(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    hours_room = await room(client, staff, "Nine to five", requires_approval=True)
    await put_hours(client, staff, hours_room)
    await book(client, student, hours_room, at(9, 30), at(10, 15))  # PENDING: approval needed
    await book(client, staff, hours_room, at(11), at(12))  # APPROVED: staff book directly
    await close(client, staff, hours_room, at(12), at(12, 20))
    open_room = await room(client, staff, "Open all hours")

    response = await client.get(
        "/availability",
        params=[
            ("room_id", open_room),
            ("room_id", hours_room),
            ("from", at(8).isoformat()),
            ("to", at(13, 10).isoformat()),
            ("interval_minutes", "30"),
        ],
        headers=student.headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (instant(body["from"]), instant(body["to"])) == (at(8), at(13, 10))
    assert body["interval_minutes"] == 30
    # 08:00 08:30 | 09:00 09:30 10:00 10:30 | 11:00 11:30 | 12:00 12:30 | 13:00 (cut at 13:10)
    assert body["rooms"] == [
        {"room_id": open_room, "view": "00000000000"},
        {"room_id": hours_room, "view": "33011022300"},
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ([("room_id", "{room}"), ("room_id", "{room}")], "room_id"),
        (
            [("room_id", "{room}")]
            + [("room_id", str(UNKNOWN_ID)[:-3] + f"{n:03}") for n in range(100)],
            "room_id",
        ),
        ([("room_id", "not-a-uuid")], "room_id"),
        ([], "room_id"),
        ([("room_id", "{room}"), ("interval_minutes", "0")], "interval_minutes"),
        ([("room_id", "{room}"), ("interval_minutes", "1441")], "interval_minutes"),
        ([("room_id", "{room}"), ("interval_minutes", "30.5")], "interval_minutes"),
        ([("room_id", "{room}"), ("interval_minutes", "5")], "interval_minutes"),  # 2,016 intervals
    ],
)
async def test_a_grid_request_out_of_bounds_is_400_naming_the_field(
    client: httpx.AsyncClient,
    staff: Actor,
    student: Actor,
    params: list[tuple[str, str]],
    field: str,
) -> None:
    room_id = await room(client, staff, "Lab")
    week = [("from", at(0).isoformat()), ("to", (at(0) + timedelta(days=7)).isoformat())]

    response = await client.get(
        "/availability",
        params=[(name, value.format(room=room_id)) for name, value in params] + week,
        headers=student.headers,
    )

    assert field in fields_named(response)


async def test_a_grid_of_an_unknown_room_is_404_and_2000_intervals_are_allowed(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    room_id = await room(client, staff, "Lab")
    window = [
        ("from", at(0).isoformat()),
        ("to", (at(0) + timedelta(minutes=5 * 2000)).isoformat()),
    ]

    unknown = await client.get(
        "/availability",
        params=[("room_id", room_id), ("room_id", UNKNOWN_ID), *window],
        headers=student.headers,
    )
    most = await client.get(
        "/availability",
        params=[("room_id", room_id), ("interval_minutes", "5"), *window],
        headers=student.headers,
    )

    assert_problem(unknown, 404)
    assert most.status_code == 200, most.text
    assert most.json()["rooms"][0]["view"] == "0" * 2000


# --- free-room search ----------------------------------------------------------------------


async def free(
    client: httpx.AsyncClient, actor: Actor, start: datetime, end: datetime, **params: Any
) -> dict[str, Any]:
    response = await client.get(
        "/rooms/free",
        params={"starts_at": start.isoformat(), "ends_at": end.isoformat(), **params},
        headers=actor.headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_search_gives_the_free_rooms_that_fit_smallest_first(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    small = await room(client, staff, "Small", capacity=4, features=("projector",))
    await room(client, staff, "Large", capacity=20, features=("projector", "whiteboard"))
    await room(client, staff, "Medium", capacity=8, features=("projector",))
    await room(client, staff, "Board", capacity=8, features=("whiteboard",))
    taken = await room(client, staff, "Taken", capacity=6, features=("projector",))
    await book(client, staff, taken, at(10), at(12))
    closed = await room(client, staff, "Closed", capacity=6, features=("projector",))
    await close(client, staff, closed, at(11), at(11, 30))
    shut = await room(client, staff, "Shut", capacity=6, features=("projector",))
    await put_hours(client, staff, shut)  # opens at 09:00

    found = await free(client, student, at(8), at(10), min_capacity=5, feature="projector")
    later = await free(client, student, at(10), at(12), min_capacity=5, feature="projector")
    everything = await free(client, student, at(13), at(14))

    assert [r["name"] for r in found["items"]] == ["Closed", "Taken", "Medium", "Large"]
    assert [r["name"] for r in later["items"]] == ["Shut", "Medium", "Large"]
    assert small in {r["id"] for r in everything["items"]}
    assert [r["name"] for r in everything["items"]] == [
        "Small",
        "Closed",
        "Shut",
        "Taken",
        "Board",
        "Medium",
        "Large",
    ]


async def test_when_too_few_rooms_are_free_it_offers_other_times_and_shorter_stays(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    busy = await room(client, staff, "Busy", capacity=6)
    await book(client, staff, busy, at(10), at(11))  # free again from 11:00
    early = await room(client, staff, "Early", capacity=6)
    await book(client, staff, early, at(11), at(13))  # free 10:00-11:00 only
    await room(client, staff, "Free", capacity=30)

    body = await free(client, student, at(10), at(12), min_capacity=6, limit=4)
    fewer = await free(client, student, at(10), at(12), min_capacity=6, limit=2)

    assert [r["name"] for r in body["items"]] == ["Free"]
    # Each room's nearest other time (Busy: 11:00 rather than 08:00; Early: 09:00 rather than
    # 13:00) and Early's shorter stay, all an hour off the ask: a shift before a shortening.
    ranked = [
        {"kind": "other_time", "room_id": busy, **interval(at(11), at(13))},
        {"kind": "other_time", "room_id": early, **interval(at(9), at(11))},
        {"kind": "shorter", "room_id": early, **interval(at(10), at(11))},
    ]
    assert body["alternatives"] == ranked
    assert fewer["alternatives"] == ranked[:2]


async def test_search_applies_the_callers_policy_and_quotas_and_never_assumes_an_override(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    policy = await client.post(
        "/booking-policies",
        json={"name": "Short", "max_duration_minutes": 60, "max_active_bookings": 1},
        headers=staff.headers,
    )
    assert policy.status_code == 201, policy.text
    ruled = await room(client, staff, "Ruled", policy_id=policy.json()["id"])

    too_long = await free(client, student, at(10), at(12))
    for_staff = await free(client, staff, at(10), at(12))
    await book(client, student, ruled, at(14), at(15))
    over_quota = await free(client, student, at(10), at(11))

    assert too_long["items"] == []
    assert too_long["alternatives"] == [
        {"kind": "shorter", "room_id": ruled, **interval(at(10), at(11))}
    ]
    assert for_staff["items"] == []  # a policy binds staff too; only an explicit override skips it
    assert over_quota == {"items": [], "alternatives": []}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"starts_at": "2030-01-02T10:00:00"}, "starts_at"),
        ({"ends_at": at(9).isoformat()}, "ends_at"),
        ({"ends_at": at(11, day=3).isoformat()}, "ends_at"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"min_capacity": "0"}, "min_capacity"),
        ({"min_capacity": "six"}, "min_capacity"),
        ({"feature": "Not a tag!"}, "feature"),
        ({"room_id": UNKNOWN_ID}, "room_id"),
    ],
)
async def test_a_malformed_search_is_400_naming_the_field(
    client: httpx.AsyncClient, student: Actor, params: dict[str, str], field: str
) -> None:
    asked = {"starts_at": at(10).isoformat(), "ends_at": at(11).isoformat(), **params}

    response = await client.get("/rooms/free", params=asked, headers=student.headers)

    assert field in fields_named(response)


async def test_every_room_and_alternative_that_search_gives_can_be_booked_and_no_other_room(
    client: httpx.AsyncClient, staff: Actor, student: Actor, other: Actor
) -> None:
    """Search and booking decide with the same rules: in a random campus, each room found and
    each alternative books (then is cancelled, to leave the campus as it was), and every other
    matching room is refused by `POST /bookings/check`."""
    rng = random.Random(15)  # fixed: a failure replays
    policies = []
    for number, limits in enumerate(
        (
            {"slot_minutes": 30, "min_duration_minutes": 30},
            {"max_duration_minutes": 90, "max_minutes_per_day": 120},
            {"min_notice_minutes": 60 * 30, "max_active_bookings": 3},
        )
    ):
        made = await client.post(
            "/booking-policies", json={"name": f"Policy {number}", **limits}, headers=staff.headers
        )
        assert made.status_code == 201, made.text
        policies.append(made.json()["id"])
    rooms, capacities = [], {}
    for number in range(12):
        fields: dict[str, Any] = {"capacity": rng.choice((4, 8, 12))}
        if rng.random() < 0.6:
            fields["policy_id"] = rng.choice(policies)
        room_id = await room(client, staff, f"Room {number:02}", **fields)
        if rng.random() < 0.5:
            await client.patch(
                f"/rooms/{room_id}",
                json={"time_zone": rng.choice(("Europe/Berlin", "America/New_York"))},
                headers=staff.headers,
            )
        if rng.random() < 0.5:
            await put_hours(client, staff, room_id)
        if rng.random() < 0.2:
            await close(client, staff, room_id, at(rng.randrange(8, 16)), at(17))
        for _ in range(rng.randint(0, 3)):
            start = at(rng.randrange(6, 20), rng.choice((0, 15, 30)))
            end = start + timedelta(minutes=rng.choice((30, 60, 90)))
            who = rng.choice((staff, other))
            await client.post(
                "/bookings", json=booking_body(room_id, start, end), headers=who.headers
            )
        rooms.append(room_id)
        capacities[room_id] = fields["capacity"]
    await book(client, student, rooms[0], at(8, day=3), at(9, day=3))  # the quotas count it
    asks = [
        (at(h, m), at(h, m) + timedelta(minutes=length))
        for h, m, length in ((10, 0, 60), (11, 30, 120), (9, 0, 30), (14, 15, 45), (16, 0, 180))
    ]
    offered = 0
    for start, end in asks:
        for min_capacity in (1, 8):
            body = await free(client, student, start, end, min_capacity=min_capacity, limit=100)
            found = {r["id"] for r in body["items"]}
            for room_id in rooms:
                check = await client.post(
                    "/bookings/check",
                    json=booking_body(room_id, start, end, attendees=min_capacity),
                    headers=student.headers,
                )
                assert check.status_code == 200, check.text
                fits = capacities[room_id] >= min_capacity
                bookable = check.json()["bookable"]
                assert (room_id in found) == (fits and bookable), (room_id, check.json())
            for chosen in [(r["id"], start, end) for r in body["items"]] + [
                (a["room_id"], instant(a["starts_at"]), instant(a["ends_at"]))
                for a in body["alternatives"]
            ]:
                offered += 1
                made = await book(
                    client, student, chosen[0], chosen[1], chosen[2], attendees=min_capacity
                )
                cancelled = await client.post(
                    f"/bookings/{made['id']}/cancel", headers=student.headers
                )
                assert cancelled.status_code == 200, cancelled.text
    assert offered > 20  # the campus leaves plenty to offer: the test books what it says
