"""Booking series over HTTP, on SQLite and PostgreSQL: local times across DST, all or nothing
or skip, preview, approval, changes, cancellation and dates booked back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from dependency_injector import providers

from campus_booking.adapters.clock import FixedClock
from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.container import Container
from tests.conftest import test_settings as settings_for
from tests.e2e import both_databases
from tests.e2e.actors import UNKNOWN_ID, Actor, book, room_body, stored_bookings
from tests.e2e.conftest import assert_problem

client = both_databases.client
ACTIVE_LIMIT = 40  # above the longest series here, but one test, which meets it


@pytest.fixture
def container(database_url: str) -> Iterator[Container]:
    container = Container()
    settings = replace(settings_for(database_url), max_active_bookings_per_student=ACTIVE_LIMIT)
    container.settings.override(providers.Object(settings))
    yield container
    container.reset_override()


# The suite's clock stands at 2030-01-01 08:00 UTC. Berlin changes to summer time on
# 2030-03-31 and back on 2030-10-27.
FIRST = {"starts_at": "2030-01-08T10:00:00+01:00", "ends_at": "2030-01-08T12:00:00+01:00"}
WEEKLY = "FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20300430"


@pytest.fixture
async def room(client: httpx.AsyncClient, staff: Actor) -> dict[str, Any]:
    return await _room(client, staff, "B-204")


async def _room(
    client: httpx.AsyncClient, staff: Actor, name: str, **fields: Any
) -> dict[str, Any]:
    body = {**room_body(name, **fields), "time_zone": "Europe/Berlin"}
    response = await client.post("/rooms", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def series_body(room_id: str, **fields: Any) -> dict[str, Any]:
    return {"room_id": room_id, "title": "Lecture", "recurrence": WEEKLY, **FIRST, **fields}


async def create(
    client: httpx.AsyncClient, actor: Actor, body: dict[str, Any], status: int = 201
) -> dict[str, Any]:
    response = await client.post("/booking-series", json=body, headers=actor.headers)
    assert response.status_code == status, response.text
    found: dict[str, Any] = response.json()
    return found


def starts(series: dict[str, Any]) -> list[str]:
    return [o["starts_at"] for o in series["occurrences"]]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def test_a_weekly_series_keeps_its_local_times_across_the_dst_change(
    client: httpx.AsyncClient, container: Container, student: Actor, room: dict[str, Any]
) -> None:
    body = series_body(room["id"], exdates=["2030-02-19", "2030-02-21"])
    series = await create(client, student, body)

    times = [utc(start) for start in starts(series)]
    assert len(times) == 33 - 2  # 17 Tuesdays and 16 Thursdays, less the reading week
    assert times[0] == datetime(2030, 1, 8, 9, tzinfo=UTC)  # 10:00 CET
    assert times[-1] == datetime(2030, 4, 30, 8, tzinfo=UTC)  # 10:00 CEST, UNTIL included
    assert {t.hour for t in times if t.month < 3 or (t.month == 3 and t.day < 31)} == {9}
    assert {t.hour for t in times if t.month > 3} == {8}
    assert datetime(2030, 2, 19, 9, tzinfo=UTC) not in times
    assert series["status"] == "APPROVED"
    assert series["time_zone"] == "Europe/Berlin"  # the room's
    assert series["recurrence"] == WEEKLY
    assert series["exdates"] == ["2030-02-19", "2030-02-21"]
    assert series["skipped"] == []
    stored = await stored_bookings(container)
    assert len(stored) == 31
    assert {str(b.series_id) for b in stored} == {series["id"]}

    fetched = await client.get(f"/booking-series/{series['id']}", headers=student.headers)
    assert fetched.status_code == 200
    assert fetched.json() == series


async def test_fail_refuses_the_whole_series_with_409_naming_the_blocked_occurrence(
    client: httpx.AsyncClient, container: Container, student: Actor, other: Actor, room: Any
) -> None:
    taken = await book(
        client,
        other,
        room["id"],
        utc("2030-01-15T10:30:00+01:00"),
        utc("2030-01-15T11:30:00+01:00"),
    )

    response = await client.post(
        "/booking-series", json=series_body(room["id"]), headers=student.headers
    )

    problem = assert_problem(response, 409)
    [blocked] = problem["occurrences"]
    assert utc(blocked["starts_at"]) == datetime(2030, 1, 15, 9, tzinfo=UTC)
    assert [c["kind"] for c in blocked["conflicts"]] == ["booking"]
    assert utc(problem["conflicts"][0]["starts_at"]) == utc(taken["starts_at"])
    assert [str(b.id) for b in await stored_bookings(container)] == [taken["id"]]


async def test_skip_books_the_rest_and_keeps_the_blocked_one_then_books_it_back(
    client: httpx.AsyncClient, student: Actor, other: Actor, room: Any
) -> None:
    taken = await book(
        client,
        other,
        room["id"],
        utc("2030-01-15T10:30:00+01:00"),
        utc("2030-01-15T11:30:00+01:00"),
    )
    series = await create(client, student, series_body(room["id"], on_conflict="skip"))

    assert len(series["occurrences"]) == 32
    [skipped] = series["skipped"]
    assert utc(skipped["starts_at"]) == datetime(2030, 1, 15, 9, tzinfo=UTC)
    assert skipped["conflicts"][0]["kind"] == "booking"
    assert skipped["violations"] == []

    again = await client.post(
        f"/booking-series/{series['id']}/occurrences",
        json={"date": "2030-01-15"},
        headers=student.headers,
    )
    assert_problem(again, 409)  # still taken
    await client.post(f"/bookings/{taken['id']}/cancel", headers=other.headers)
    again = await client.post(
        f"/booking-series/{series['id']}/occurrences",
        json={"date": "2030-01-15"},
        headers=student.headers,
    )

    assert again.status_code == 201, again.text
    assert len(again.json()["occurrences"]) == 33
    assert again.json()["skipped"] == []


async def test_a_rule_that_refuses_one_occurrence_is_a_422_listing_it(
    client: httpx.AsyncClient, container: Container, staff: Actor, student: Actor, room: Any
) -> None:
    hours = {"weekly": [], "exceptions": [{"date": "2030-03-05", "windows": []}]}
    response = await client.put(
        f"/rooms/{room['id']}/opening-hours", json=hours, headers=staff.headers
    )
    assert response.status_code == 200, response.text

    response = await client.post(
        "/booking-series", json=series_body(room["id"]), headers=student.headers
    )

    problem = assert_problem(response, 422)
    [blocked] = problem["occurrences"]
    assert blocked["starts_at"].startswith("2030-03-05")
    assert [v["code"] for v in blocked["violations"]] == ["outside_opening_hours"]
    assert [v["code"] for v in problem["violations"]] == ["outside_opening_hours"]
    assert await stored_bookings(container) == []


async def test_preview_answers_every_occurrence_and_writes_nothing(
    client: httpx.AsyncClient, container: Container, student: Actor, other: Actor, room: Any
) -> None:
    await book(
        client,
        other,
        room["id"],
        utc("2030-01-10T09:00:00+01:00"),
        utc("2030-01-10T10:30:00+01:00"),
    )
    body = series_body(room["id"], recurrence="FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4")

    response = await client.post("/booking-series/preview", json=body, headers=student.headers)

    assert response.status_code == 200, response.text
    previewed = response.json()["occurrences"]
    assert [o["bookable"] for o in previewed] == [True, False, True, True]
    assert previewed[1]["conflicts"][0]["kind"] == "booking"
    assert len(await stored_bookings(container)) == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recurrence": "FREQ=YEARLY;COUNT=2"}, "recurrence"),
        ({"recurrence": "FREQ=WEEKLY;BYDAY=TU"}, "recurrence"),  # neither COUNT nor UNTIL
        ({"recurrence": "FREQ=DAILY;COUNT=501"}, "recurrence"),
        ({"exdates": ["2030-01-09"]}, "exdates[0]"),  # a Wednesday: not a date of the series
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        (
            {"starts_at": "2030-01-07T10:00:00+01:00", "ends_at": "2030-01-07T12:00:00+01:00"},
            "starts_at",
        ),
        ({"starts_at": "2030-01-08T10:00:00"}, "starts_at"),  # naive
        # the ends of the calendar: refused, never a 500
        (
            {
                "starts_at": "9999-12-30T10:00:00Z",
                "ends_at": "9999-12-30T12:00:00Z",
                "recurrence": "FREQ=DAILY;COUNT=5",
            },
            "starts_at",
        ),
        (
            {
                "starts_at": "0001-01-01T10:00:00Z",
                "ends_at": "0001-01-01T11:00:00Z",
                "time_zone": "America/New_York",
                "recurrence": "FREQ=DAILY;COUNT=2",
            },
            "starts_at",
        ),
        (
            {
                "starts_at": "9999-12-01T10:00:00Z",
                "ends_at": "9999-12-01T12:00:00Z",
                "recurrence": "FREQ=DAILY;COUNT=30",
            },
            "recurrence",
        ),
        ({"recurrence": "FREQ=MONTHLY;INTERVAL=1000;COUNT=100"}, "recurrence"),
        ({"on_conflict": "maybe"}, "on_conflict"),
        ({"colour": "red"}, "colour"),
    ],
)
@pytest.mark.parametrize("path", ["/booking-series", "/booking-series/preview"])
async def test_a_malformed_series_is_400_naming_the_field(
    client: httpx.AsyncClient,
    container: Container,
    student: Actor,
    room: Any,
    fields: dict[str, Any],
    field: str,
    path: str,
) -> None:
    response = await client.post(
        path, json=series_body(room["id"], **fields), headers=student.headers
    )

    problem = assert_problem(response, 400)
    assert [error["field"] for error in problem["errors"]] == [field]
    assert await stored_bookings(container) == []


async def test_a_students_series_in_an_approval_room_is_pending_until_staff_decide(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    hall = await _room(client, staff, "Hall", requires_approval=True)
    body = series_body(hall["id"], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=3")
    series = await create(client, student, body)
    assert series["status"] == "PENDING"
    assert {o["status"] for o in series["occurrences"]} == {"PENDING"}
    path = f"/booking-series/{series['id']}"

    refused = await client.post(f"{path}/approve", headers=student.headers)
    assert_problem(refused, 403)
    unreasoned = await client.post(f"{path}/reject", json={"reason": " "}, headers=staff.headers)
    assert_problem(unreasoned, 400)
    approved = await client.post(f"{path}/approve", headers=staff.headers)

    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "APPROVED"
    assert {o["status"] for o in approved.json()["occurrences"]} == {"APPROVED"}
    assert_problem(await client.post(f"{path}/approve", headers=staff.headers), 409)


async def test_rejecting_a_series_rejects_every_pending_occurrence(
    client: httpx.AsyncClient, staff: Actor, student: Actor
) -> None:
    hall = await _room(client, staff, "Hall", requires_approval=True)
    series = await create(client, student, series_body(hall["id"], recurrence="FREQ=DAILY;COUNT=2"))

    response = await client.post(
        f"/booking-series/{series['id']}/reject", json={"reason": "Exams"}, headers=staff.headers
    )

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "REJECTED"


async def test_changing_a_series_from_a_date_moves_those_occurrences_on_their_own_dates(
    client: httpx.AsyncClient, student: Actor, room: Any
) -> None:
    series = await create(
        client, student, series_body(room["id"], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=14")
    )
    change = {
        "title": "Moved lecture",
        "start_time": "14:00",
        "end_time": "15:30",
        "from": "2030-03-01",
    }

    response = await client.patch(
        f"/booking-series/{series['id']}", json=change, headers=student.headers
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["title"] == "Moved lecture"
    local = [datetime.fromisoformat(o["starts_at"]).astimezone() for o in changed["occurrences"]]
    assert len(local) == 14
    before = [utc(o["starts_at"]) for o in changed["occurrences"] if o["starts_at"] < "2030-03"]
    after = [utc(o["starts_at"]) for o in changed["occurrences"] if o["starts_at"] >= "2030-03"]
    assert {t.hour for t in before} == {9}  # 10:00 CET, as they were
    assert {(t.hour, t.minute) for t in after if t.month == 3 and t.day < 31} == {(13, 0)}
    assert {(t.hour, t.minute) for t in after if t.month == 4} == {(12, 0)}  # 14:00 CEST
    bookings = await client.get(
        "/bookings", params={"from": "2030-04-01T00:00:00Z"}, headers=student.headers
    )
    assert {b["title"] for b in bookings.json()["items"]} == {"Moved lecture"}


async def test_a_new_start_alone_keeps_each_occurrences_length(
    client: httpx.AsyncClient, student: Actor, room: Any
) -> None:
    series = await create(client, student, series_body(room["id"], recurrence="FREQ=DAILY;COUNT=2"))

    response = await client.patch(
        f"/booking-series/{series['id']}", json={"start_time": "15:00"}, headers=student.headers
    )

    assert response.status_code == 200, response.text
    assert [(o["starts_at"], o["ends_at"]) for o in response.json()["occurrences"]] == [
        ("2030-01-08T14:00:00Z", "2030-01-08T16:00:00Z"),
        ("2030-01-09T14:00:00Z", "2030-01-09T16:00:00Z"),
    ]


async def test_a_change_nothing_can_take_is_a_conflict(
    client: httpx.AsyncClient, clock: FixedClock, student: Actor, other: Actor, room: Any
) -> None:
    """With "skip" as with "fail": moved onto another's booking, the only occurrence stays
    where it was and the series keeps its title; with none upcoming there is nothing to
    change."""
    series = await create(client, student, series_body(room["id"], recurrence="FREQ=DAILY;COUNT=1"))
    await book(
        client,
        other,
        room["id"],
        utc("2030-01-08T15:00:00+01:00"),
        utc("2030-01-08T16:00:00+01:00"),
    )
    change = {"title": "Moved", "start_time": "15:00", "end_time": "17:00", "on_conflict": "skip"}

    response = await client.patch(
        f"/booking-series/{series['id']}", json=change, headers=student.headers
    )

    problem = assert_problem(response, 409)
    assert [o["starts_at"] for o in problem["occurrences"]] == ["2030-01-08T14:00:00Z"]
    found = await client.get(f"/booking-series/{series['id']}", headers=student.headers)
    assert found.json()["title"] == "Lecture"

    soon = {"starts_at": "2030-01-01T08:15:00Z", "ends_at": "2030-01-01T08:45:00Z"}
    started = await create(
        client, student, series_body(room["id"], recurrence="FREQ=DAILY;COUNT=1", **soon)
    )
    clock.set(utc("2030-01-01T08:20:00Z"))
    response = await client.patch(
        f"/booking-series/{started['id']}", json={"title": "Late"}, headers=student.headers
    )

    assert_problem(response, 409)


async def test_cancelling_a_series_from_a_date_and_one_occurrence_on_its_own(
    client: httpx.AsyncClient, student: Actor, room: Any
) -> None:
    series = await create(
        client, student, series_body(room["id"], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=4")
    )
    path = f"/booking-series/{series['id']}"
    first = series["occurrences"][0]["booking_id"]

    one = await client.post(f"/bookings/{first}/cancel", headers=student.headers)
    rest = await client.post(f"{path}/cancel", json={"from": "2030-01-22"}, headers=student.headers)

    assert one.status_code == 200, one.text
    assert rest.status_code == 200, rest.text
    assert [o["status"] for o in rest.json()["occurrences"]] == [
        "CANCELLED",
        "APPROVED",
        "CANCELLED",
        "CANCELLED",
    ]
    everything = await client.post(f"{path}/cancel", headers=student.headers)
    assert everything.json()["status"] == "CANCELLED"
    assert_problem(await client.post(f"{path}/cancel", headers=student.headers), 409)


async def test_an_occurrence_changed_on_its_own_stays_in_the_series_marked_as_changed(
    client: httpx.AsyncClient, student: Actor, room: Any
) -> None:
    series = await create(
        client, student, series_body(room["id"], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    )
    occurrence = series["occurrences"][1]["booking_id"]

    response = await client.patch(
        f"/bookings/{occurrence}", json={"title": "Guest talk"}, headers=student.headers
    )
    fetched = await client.get(f"/booking-series/{series['id']}", headers=student.headers)

    assert response.status_code == 200, response.text
    assert [o["changed"] for o in fetched.json()["occurrences"]] == [False, True]


async def test_another_students_series_is_not_found_and_staff_see_every_series(
    client: httpx.AsyncClient, student: Actor, other: Actor, staff: Actor, room: Any
) -> None:
    series = await create(
        client, student, series_body(room["id"], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    )
    path = f"/booking-series/{series['id']}"

    assert_problem(await client.get(path, headers=other.headers), 404)
    assert_problem(await client.post(f"{path}/cancel", headers=other.headers), 404)
    assert_problem(await client.get(f"/booking-series/{UNKNOWN_ID}", headers=staff.headers), 404)
    mine = await client.get("/booking-series", headers=other.headers)
    everyone = await client.get(
        "/booking-series", params={"room_id": room["id"]}, headers=staff.headers
    )
    assert mine.json()["items"] == []
    assert mine.json()["total"] == 0
    assert [s["id"] for s in everyone.json()["items"]] == [series["id"]]


async def test_a_series_is_on_the_audit_trail(
    client: httpx.AsyncClient, container: Container, student: Actor, room: Any
) -> None:
    series = await create(
        client, student, series_body(room["id"], recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=2")
    )

    async with container.uow(read_only=True) as uow:
        page = await uow.audit.search(AuditFilter(), PageRequest(limit=100))
    kinds = [(entry.entity.value, entry.action.value) for entry in page.items]
    assert kinds.count(("booking_series", "created")) == 1
    assert kinds.count(("booking", "created")) == 2
    created = next(e for e in page.items if e.entity.value == "booking_series")
    assert str(created.entity_id) == series["id"]


async def test_the_quota_counts_every_occurrence(
    client: httpx.AsyncClient, container: Container, student: Actor, room: Any
) -> None:
    body = series_body(room["id"], recurrence=f"FREQ=DAILY;COUNT={ACTIVE_LIMIT + 2}")

    response = await client.post("/booking-series", json=body, headers=student.headers)

    problem = assert_problem(response, 422)
    assert len(problem["occurrences"]) == 2  # the two past the limit
    assert {v["code"] for o in problem["occurrences"] for v in o["violations"]} == {
        "active_bookings_limit"
    }
    assert await stored_bookings(container) == []
