"""Calendar feeds over HTTP, on SQLite and PostgreSQL: every feed parsed with icalendar and
expanded with recurring-ical-events, a second library, whose instants must be exactly the
server's own active bookings, DST series included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import icalendar
import pytest
import recurring_ical_events

from tests.e2e import both_databases
from tests.e2e.actors import Actor, book, room_body
from tests.e2e.conftest import assert_problem

container = both_databases.container
client = both_databases.client

# The suite's clock stands at 2030-01-01 08:00 UTC; Berlin moves to summer time on 31 March.
WINDOW = (datetime(2029, 12, 1, tzinfo=UTC), datetime(2031, 1, 2, tzinfo=UTC))


@pytest.fixture
async def room(client: httpx.AsyncClient, staff: Actor) -> dict[str, Any]:
    body = {**room_body("B-204"), "time_zone": "Europe/Berlin"}
    response = await client.post("/rooms", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def feed_url(client: httpx.AsyncClient, actor: Actor, **body: Any) -> str:
    response = await client.post(
        "/calendar/feeds", json={"scope": "mine", **body}, headers=actor.headers
    )
    assert response.status_code == 201, response.text
    url: str = response.json()["url"]
    return url


async def fetch(client: httpx.AsyncClient, url: str) -> icalendar.Calendar:
    response = await client.get(url)  # no Authorization header, as a calendar app
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def instants(calendar: icalendar.Calendar) -> set[tuple[datetime, datetime]]:
    """What a calendar app shows: every instance the feed makes, cancelled ones left out."""
    events = recurring_ical_events.of(calendar).between(*WINDOW)
    return {
        (e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC))
        for e in events
        if str(e.get("STATUS")) != "CANCELLED"
    }


async def active_bookings(
    client: httpx.AsyncClient, actor: Actor
) -> set[tuple[datetime, datetime]]:
    response = await client.get(
        "/bookings", params={"status": ["PENDING", "APPROVED"], "limit": 100}, headers=actor.headers
    )
    assert response.status_code == 200, response.text
    return {
        (datetime.fromisoformat(b["starts_at"]), datetime.fromisoformat(b["ends_at"]))
        for b in response.json()["items"]
    }


async def series(client: httpx.AsyncClient, actor: Actor, room_id: str, **fields: Any) -> Any:
    body = {
        "room_id": room_id,
        "title": "Lecture",
        "starts_at": "2030-03-05T10:00:00+01:00",
        "ends_at": "2030-03-05T12:00:00+01:00",
        "recurrence": "FREQ=WEEKLY;BYDAY=TU;UNTIL=20300416",
        **fields,
    }
    response = await client.post("/booking-series", json=body, headers=actor.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_feed_shows_exactly_the_active_bookings_dst_series_included(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    made = await series(client, student, room["id"], exdates=["2030-03-19"])
    occurrences = made["occurrences"]
    await client.post(f"/bookings/{occurrences[1]['booking_id']}/cancel", headers=student.headers)
    moved = occurrences[3]  # 2030-04-02 (summer time), moved to the afternoon of the 9th
    response = await client.patch(
        f"/bookings/{moved['booking_id']}",
        json={"starts_at": "2030-04-09T13:00:00+02:00", "ends_at": "2030-04-09T14:00:00+02:00"},
        headers=student.headers,
    )
    assert response.status_code == 200, response.text
    await book(
        client,
        student,
        room["id"],
        datetime(2030, 1, 7, 9, tzinfo=UTC),
        datetime(2030, 1, 7, 10, tzinfo=UTC),
    )

    calendar = await fetch(client, await feed_url(client, student))

    assert instants(calendar) == await active_bookings(client, student)
    assert datetime(2030, 3, 5, 9, tzinfo=UTC) in {start for start, _ in instants(calendar)}
    assert datetime(2030, 4, 16, 8, tzinfo=UTC) in {start for start, _ in instants(calendar)}
    events = list(calendar.walk("VEVENT"))
    master = next(e for e in events if "RRULE" in e)
    assert master["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert len([e for e in events if "RECURRENCE-ID" in e]) == 1
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    for event in events:
        assert {"UID", "DTSTAMP", "LAST-MODIFIED", "SEQUENCE", "LOCATION", "STATUS"} <= set(event)
    assert {str(e["LOCATION"]) for e in events} == {"B-204, Main"}


async def test_an_unchanged_feed_answers_304_and_a_change_gives_a_new_etag(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(
        client,
        student,
        room["id"],
        datetime(2030, 1, 7, 9, tzinfo=UTC),
        datetime(2030, 1, 7, 10, tzinfo=UTC),
    )
    url = await feed_url(client, student)
    first = await client.get(url)
    etag = first.headers["etag"]

    again = await client.get(url, headers={"If-None-Match": etag})
    await client.patch(
        f"/bookings/{booking['id']}", json={"title": "Renamed"}, headers=student.headers
    )
    changed = await client.get(url, headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    [event] = icalendar.Calendar.from_ical(changed.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Renamed"
    assert event["SEQUENCE"] == 1


async def test_a_cancelled_booking_stays_in_the_feed_as_cancelled(
    client: httpx.AsyncClient, student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(
        client,
        student,
        room["id"],
        datetime(2030, 1, 7, 9, tzinfo=UTC),
        datetime(2030, 1, 7, 10, tzinfo=UTC),
    )
    await client.post(f"/bookings/{booking['id']}/cancel", headers=student.headers)

    [event] = (await fetch(client, await feed_url(client, student))).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"


async def test_a_students_room_feed_shows_other_peoples_bookings_as_busy(
    client: httpx.AsyncClient, student: Actor, other: Actor, staff: Actor, room: dict[str, Any]
) -> None:
    await book(
        client,
        other,
        room["id"],
        datetime(2030, 1, 7, 9, tzinfo=UTC),
        datetime(2030, 1, 7, 10, tzinfo=UTC),
        title="Secret meeting",
    )

    for_student = await fetch(
        client, await feed_url(client, student, scope="room", room_id=room["id"])
    )
    for_staff = await fetch(client, await feed_url(client, staff, scope="room", room_id=room["id"]))

    assert [str(e["SUMMARY"]) for e in for_student.walk("VEVENT")] == ["Busy"]
    assert [str(e["SUMMARY"]) for e in for_staff.walk("VEVENT")] == ["Secret meeting"]
    assert b"Secret" not in for_student.to_ical()


async def test_feeds_are_listed_without_tokens_and_a_revoked_one_is_gone(
    client: httpx.AsyncClient, student: Actor, other: Actor
) -> None:
    url = await feed_url(client, student)
    listed = await client.get("/calendar/feeds", headers=student.headers)
    [feed] = listed.json()
    assert "url" not in feed
    assert url.removeprefix("/calendar/feeds/").removesuffix(".ics") not in listed.text

    assert_problem(await client.delete(f"/calendar/feeds/{feed['id']}", headers=other.headers), 404)
    deleted = await client.delete(f"/calendar/feeds/{feed['id']}", headers=student.headers)

    assert deleted.status_code == 204
    assert_problem(await client.get(url), 404)


async def test_a_deactivated_users_feed_stops_answering(
    client: httpx.AsyncClient, student: Actor, admin: Actor
) -> None:
    url = await feed_url(client, student)
    response = await client.patch(
        f"/admin/users/{student.id}", json={"is_active": False}, headers=admin.headers
    )
    assert response.status_code == 200, response.text

    assert_problem(await client.get(url), 404)


async def test_a_feed_token_is_no_bearer_token_nor_a_bearer_token_a_feed_token(
    client: httpx.AsyncClient, student: Actor
) -> None:
    token = (await feed_url(client, student)).removeprefix("/calendar/feeds/").removesuffix(".ics")

    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
    bearer = student.headers["Authorization"].removeprefix("Bearer ")

    assert_problem(me, 401)
    assert_problem(await client.get(f"/calendar/feeds/{bearer}.ics"), 404)
    assert_problem(await client.get(f"/calendar/feeds/{token}"), 404)  # no .ics


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scope": "room"}, "room_id"),
        ({"scope": "mine", "room_id": "00000000-0000-4000-8000-000000000000"}, "room_id"),
        ({"scope": "all"}, "scope"),
    ],
)
async def test_a_malformed_feed_is_400_naming_the_field(
    client: httpx.AsyncClient, student: Actor, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/calendar/feeds", json=body, headers=student.headers)

    assert [e["field"] for e in assert_problem(response, 400)["errors"]] == [field]


async def test_a_feed_of_an_unknown_room_is_404(client: httpx.AsyncClient, student: Actor) -> None:
    body = {"scope": "room", "room_id": "00000000-0000-4000-8000-000000000000"}

    assert_problem(await client.post("/calendar/feeds", json=body, headers=student.headers), 404)


def test_the_window_is_a_year_ahead() -> None:
    """The window the expansion above looks in covers the feed's (30 days back, 365 ahead)."""
    now = datetime(2030, 1, 1, 8, tzinfo=UTC)
    assert WINDOW[0] <= now - timedelta(days=30)
    assert WINDOW[1] >= now + timedelta(days=365)
