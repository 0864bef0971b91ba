"""/bookings: requesting, listing, changing and cancelling bookings, and the approval workflow."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.actors import (
    NOW,
    UNKNOWN_ID,
    Actor,
    Actors,
    at,
    book,
    booking_body,
    create_room,
    instant,
    stored_bookings,
)
from tests.e2e.conftest import assert_problem

BOOKING_KEYS = {
    "id",
    "room_id",
    "requester_id",
    "starts_at",
    "ends_at",
    "title",
    "attendees",
    "status",
    "decided_by",
    "decided_at",
    "decision_reason",
    "created_at",
}


@pytest.fixture
async def room(client: AsyncTestClient[Any], staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff, "Open Room", capacity=10)


@pytest.fixture
async def approval_room(client: AsyncTestClient[Any], staff: Actor) -> dict[str, Any]:
    return await create_room(client, staff, "Approval Room", capacity=10, requires_approval=True)


async def fetch(client: AsyncTestClient[Any], actor: Actor, booking_id: str) -> dict[str, Any]:
    response = await client.get(f"/bookings/{booking_id}", headers=actor.headers)
    assert response.status_code == 200, response.text
    booking: dict[str, Any] = response.json()
    return booking


async def listed(client: AsyncTestClient[Any], actor: Actor, query: str = "") -> dict[str, Any]:
    response = await client.get(f"/bookings{query}", headers=actor.headers)
    assert response.status_code == 200, response.text
    page: dict[str, Any] = response.json()
    return page


def ids(page: dict[str, Any]) -> list[str]:
    return [booking["id"] for booking in page["items"]]


def field_of(problem: dict[str, Any]) -> list[str]:
    return [error["field"] for error in problem["errors"]]


async def post_booking(client: AsyncTestClient[Any], actor: Actor, body: dict[str, Any]) -> Any:
    return await client.post("/bookings", json=body, headers=actor.headers)


# --- requesting ---------------------------------------------------------------------------


async def test_student_booking_of_an_approval_room_is_pending(
    client: AsyncTestClient[Any], student: Actor, approval_room: dict[str, Any]
) -> None:
    body = booking_body(approval_room["id"], at(9), at(10), title="Thesis defence", attendees=4)

    response = await post_booking(client, student, body)

    assert response.status_code == 201, response.text
    booking = response.json()
    assert set(booking) == BOOKING_KEYS
    assert booking["status"] == "PENDING"
    assert booking["room_id"] == approval_room["id"]
    assert booking["requester_id"] == str(student.id)
    assert (instant(booking["starts_at"]), instant(booking["ends_at"])) == (at(9), at(10))
    assert (booking["title"], booking["attendees"]) == ("Thesis defence", 4)
    assert booking["decided_by"] is None
    assert booking["decided_at"] is None
    assert instant(booking["created_at"]) == NOW


async def test_student_booking_of_a_room_without_approval_is_approved(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))

    assert booking["status"] == "APPROVED"
    assert booking["decided_by"] is None


@pytest.mark.parametrize("role", ["staff", "admin"])
async def test_staff_and_admin_bookings_of_an_approval_room_are_approved(
    client: AsyncTestClient[Any], actors: Actors, approval_room: dict[str, Any], role: str
) -> None:
    manager = await getattr(actors, role)(f"{role}-booker")

    booking = await book(client, manager, approval_room["id"], at(9), at(10))

    assert booking["status"] == "APPROVED"


async def test_booking_an_unknown_room_is_404(
    client: AsyncTestClient[Any], container: Container, student: Actor
) -> None:
    response = await post_booking(client, student, booking_body(UNKNOWN_ID, at(9), at(10)))

    assert_problem(response, 404)
    assert await stored_bookings(container) == []


def violations_of(problem: dict[str, Any]) -> list[tuple[str, str]]:
    return [(violation["code"], violation["field"]) for violation in problem["violations"]]


async def test_booking_an_inactive_room_is_422_room_inactive(
    client: AsyncTestClient[Any], container: Container, actors: Actors, student: Actor
) -> None:
    admin = await actors.admin()
    room = await create_room(client, admin, "Closed")
    assert (await client.delete(f"/rooms/{room['id']}", headers=admin.headers)).status_code == 204

    response = await post_booking(client, student, booking_body(room["id"], at(9), at(10)))

    assert violations_of(assert_problem(response, 422)) == [("room_inactive", "room_id")]
    assert await stored_bookings(container) == []


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
async def test_naive_times_are_refused(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    room: dict[str, Any],
    field: str,
) -> None:
    body = booking_body(room["id"], at(9), at(10))
    body[field] = body[field].removesuffix("+00:00")

    problem = assert_problem(await post_booking(client, student, body), 400)

    assert field_of(problem) == [field]
    assert await stored_bookings(container) == []


@pytest.mark.parametrize("ends_at", [at(9), at(8)])
async def test_end_not_after_start_is_refused(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    room: dict[str, Any],
    ends_at: Any,
) -> None:
    response = await post_booking(client, student, booking_body(room["id"], at(9), ends_at))

    assert field_of(assert_problem(response, 400)) == ["ends_at"]
    assert await stored_bookings(container) == []


async def test_start_in_the_past_is_refused(
    client: AsyncTestClient[Any], container: Container, student: Actor, room: dict[str, Any]
) -> None:
    body = booking_body(room["id"], at(7, 59, day=1), at(9, day=1))

    problem = assert_problem(await post_booking(client, student, body), 422)

    assert violations_of(problem) == [("in_the_past", "starts_at")]
    assert await stored_bookings(container) == []


async def test_booking_longer_than_8_hours_is_refused(
    client: AsyncTestClient[Any], container: Container, student: Actor, room: dict[str, Any]
) -> None:
    body = booking_body(room["id"], at(9), at(17, 1))

    problem = assert_problem(await post_booking(client, student, body), 422)

    assert problem["violations"] == [
        {
            "code": "too_long",
            "field": "ends_at",
            "message": "a booking may last at most 8 hours",
            "limit": 480,
            "actual": 481,
        }
    ]
    assert await stored_bookings(container) == []


async def test_booking_of_exactly_8_hours_is_accepted(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(17))

    assert instant(booking["ends_at"]) == at(17)


@pytest.mark.parametrize(("attendees", "status"), [(0, 400), (11, 422)])
async def test_attendees_below_one_or_above_capacity_are_refused(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    room: dict[str, Any],
    attendees: int,
    status: int,
) -> None:
    body = booking_body(room["id"], at(9), at(10), attendees=attendees)

    problem = assert_problem(await post_booking(client, student, body), status)

    if status == 400:  # malformed
        assert field_of(problem) == ["attendees"]
    else:  # more than the room holds: a rule, with its limit
        assert problem["violations"][0] == {
            "code": "over_capacity",
            "field": "attendees",
            "message": "the room holds at most 10 people",
            "limit": 10,
            "actual": 11,
        }
    assert await stored_bookings(container) == []


async def test_attendees_filling_the_room_are_accepted(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10), attendees=10)

    assert booking["attendees"] == 10


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
async def test_empty_or_overlong_title_is_refused(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    room: dict[str, Any],
    title: str,
) -> None:
    body = booking_body(room["id"], at(9), at(10), title=title)

    problem = assert_problem(await post_booking(client, student, body), 400)

    assert field_of(problem) == ["title"]
    assert await stored_bookings(container) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "APPROVED"), ("requester_id", UNKNOWN_ID), ("decided_by", UNKNOWN_ID)],
)
async def test_server_owned_fields_in_the_body_are_refused(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    approval_room: dict[str, Any],
    field: str,
    value: str,
) -> None:
    body = {**booking_body(approval_room["id"], at(9), at(10)), field: value}

    problem = assert_problem(await post_booking(client, student, body), 400)

    assert field_of(problem) == [field]
    assert await stored_bookings(container) == []


# --- overlaps -----------------------------------------------------------------------------


async def test_overlap_is_a_conflict_naming_only_the_times_taken(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    other: Actor,
    room: dict[str, Any],
) -> None:
    taken = await book(client, other, room["id"], at(9), at(10), title="Secret meeting")

    response = await post_booking(client, student, booking_body(room["id"], at(9, 30), at(11)))

    problem = assert_problem(response, 409)
    assert set(problem) <= {"type", "title", "status", "detail", "conflicts"}
    assert len(problem["conflicts"]) == 1
    conflict = problem["conflicts"][0]
    assert set(conflict) == {"starts_at", "ends_at", "kind"}
    assert conflict["kind"] == "booking"
    assert (instant(conflict["starts_at"]), instant(conflict["ends_at"])) == (at(9), at(10))
    for secret in (taken["id"], str(other.id), other.email, "Secret meeting"):
        assert secret not in response.text
    assert [str(booking.id) for booking in await stored_bookings(container)] == [taken["id"]]


async def test_bookings_touching_end_to_start_do_not_overlap(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    await book(client, other, room["id"], at(10), at(11))

    before = await book(client, student, room["id"], at(9), at(10))
    after = await book(client, student, room["id"], at(11), at(12))

    assert (before["status"], after["status"]) == ("APPROVED", "APPROVED")


async def test_same_instants_written_with_another_offset_overlap(
    client: AsyncTestClient[Any],
    container: Container,
    student: Actor,
    other: Actor,
    room: dict[str, Any],
) -> None:
    await book(client, other, room["id"], at(10), at(11))
    body = {
        **booking_body(room["id"], at(10), at(11)),
        "starts_at": "2030-01-02T12:00:00+02:00",
        "ends_at": "2030-01-02T06:00:00-05:00",
    }

    problem = assert_problem(await post_booking(client, student, body), 409)

    assert [instant(c["starts_at"]) for c in problem["conflicts"]] == [at(10)]
    assert len(await stored_bookings(container)) == 1


async def test_cancelled_booking_frees_its_slot_at_once(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    first = await book(client, other, room["id"], at(9), at(10))
    cancel = await client.post(f"/bookings/{first['id']}/cancel", headers=other.headers)
    assert cancel.status_code == 200

    again = await book(client, student, room["id"], at(9), at(10))

    assert again["status"] == "APPROVED"


async def test_rejected_booking_frees_its_slot_at_once(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    other: Actor,
    approval_room: dict[str, Any],
) -> None:
    first = await book(client, other, approval_room["id"], at(9), at(10))
    reject = await client.post(
        f"/bookings/{first['id']}/reject", json={"reason": "Exams"}, headers=staff.headers
    )
    assert reject.status_code == 200

    again = await book(client, student, approval_room["id"], at(9), at(10))

    assert again["status"] == "PENDING"


# --- listing ------------------------------------------------------------------------------


async def test_student_lists_only_their_own_bookings(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    mine = await book(client, student, room["id"], at(9), at(10))
    await book(client, other, room["id"], at(11), at(12))

    page = await listed(client, student)
    snooping = await listed(client, student, f"?requester_id={other.id}")

    assert (ids(page), page["total"]) == ([mine["id"]], 1)
    assert (ids(snooping), snooping["total"]) == ([mine["id"]], 1)


async def test_staff_lists_everyone_and_filters_by_requester(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    other: Actor,
    room: dict[str, Any],
) -> None:
    mine = await book(client, student, room["id"], at(9), at(10))
    theirs = await book(client, other, room["id"], at(11), at(12))

    everyone = await listed(client, staff)
    filtered = await listed(client, staff, f"?requester_id={other.id}")

    assert (ids(everyone), everyone["total"]) == ([mine["id"], theirs["id"]], 2)
    assert (ids(filtered), filtered["total"]) == ([theirs["id"]], 1)


async def test_room_filter_keeps_that_room_only(
    client: AsyncTestClient[Any],
    staff: Actor,
    room: dict[str, Any],
    approval_room: dict[str, Any],
) -> None:
    await book(client, staff, room["id"], at(9), at(10))
    wanted = await book(client, staff, approval_room["id"], at(9), at(10))

    assert ids(await listed(client, staff, f"?room_id={approval_room['id']}")) == [wanted["id"]]


async def test_repeated_status_filter_keeps_any_of_them(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    room: dict[str, Any],
    approval_room: dict[str, Any],
) -> None:
    pending = await book(client, student, approval_room["id"], at(9), at(10))
    await book(client, student, room["id"], at(11), at(12))
    cancelled = await book(client, student, room["id"], at(13), at(14))
    await client.post(f"/bookings/{cancelled['id']}/cancel", headers=student.headers)

    page = await listed(client, staff, "?status=PENDING&status=CANCELLED")

    assert (ids(page), page["total"]) == ([pending["id"], cancelled["id"]], 2)


async def test_from_and_to_keep_bookings_overlapping_the_window(
    client: AsyncTestClient[Any], staff: Actor, room: dict[str, Any]
) -> None:
    await book(client, staff, room["id"], at(9), at(10))
    inside = await book(client, staff, room["id"], at(11), at(12))
    await book(client, staff, room["id"], at(13), at(14))
    window = "?from=2030-01-02T10:00:00Z&to=2030-01-02T13:00:00Z"

    partial = await listed(client, staff, "?from=2030-01-02T09:30:00Z&to=2030-01-02T11:30:00Z")

    assert ids(await listed(client, staff, window)) == [inside["id"]]
    assert len(ids(partial)) == 2


async def test_bookings_are_listed_by_start_time(
    client: AsyncTestClient[Any], staff: Actor, room: dict[str, Any]
) -> None:
    late = await book(client, staff, room["id"], at(15), at(16))
    early = await book(client, staff, room["id"], at(9), at(10))
    middle = await book(client, staff, room["id"], at(12), at(13))

    assert ids(await listed(client, staff)) == [early["id"], middle["id"], late["id"]]


async def test_bookings_are_paginated(
    client: AsyncTestClient[Any], staff: Actor, room: dict[str, Any]
) -> None:
    booked = [await book(client, staff, room["id"], at(hour), at(hour + 1)) for hour in (9, 11, 13)]

    page = await listed(client, staff, "?limit=1&offset=1")

    assert ids(page) == [booked[1]["id"]]
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)


# --- one booking --------------------------------------------------------------------------


async def test_requester_reads_their_booking(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))

    assert await fetch(client, student, booking["id"]) == booking


@pytest.mark.parametrize("role", ["staff", "admin"])
async def test_staff_and_admin_read_any_booking(
    client: AsyncTestClient[Any],
    actors: Actors,
    student: Actor,
    room: dict[str, Any],
    role: str,
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))
    manager = await getattr(actors, role)(f"{role}-reader")

    assert await fetch(client, manager, booking["id"]) == booking


async def test_another_students_booking_looks_like_an_unknown_one(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, other, room["id"], at(9), at(10))

    hidden = await client.get(f"/bookings/{booking['id']}", headers=student.headers)
    unknown = await client.get(f"/bookings/{UNKNOWN_ID}", headers=student.headers)

    assert_problem(hidden, 404)
    assert_problem(unknown, 404)
    assert hidden.json() == unknown.json()


# --- changing -----------------------------------------------------------------------------


async def test_requester_changes_title_attendees_and_times(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))
    change = {
        "title": "Study group",
        "attendees": 6,
        "starts_at": at(14).isoformat(),
        "ends_at": at(16).isoformat(),
    }

    response = await client.patch(
        f"/bookings/{booking['id']}", json=change, headers=student.headers
    )

    assert response.status_code == 200, response.text
    changed = await fetch(client, student, booking["id"])
    assert changed == response.json()
    assert (changed["title"], changed["attendees"]) == ("Study group", 6)
    assert (instant(changed["starts_at"]), instant(changed["ends_at"])) == (at(14), at(16))
    assert changed["status"] == "APPROVED"


async def test_patch_changes_only_the_fields_sent(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10), attendees=3)

    response = await client.patch(
        f"/bookings/{booking['id']}", json={"title": "Renamed"}, headers=student.headers
    )

    assert response.status_code == 200
    assert await fetch(client, student, booking["id"]) == {**booking, "title": "Renamed"}


async def test_another_student_cannot_change_a_booking(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, other, room["id"], at(9), at(10))

    response = await client.patch(
        f"/bookings/{booking['id']}", json={"title": "Mine now"}, headers=student.headers
    )

    assert_problem(response, 404)
    assert await fetch(client, other, booking["id"]) == booking


async def test_moving_onto_another_booking_is_a_conflict(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    await book(client, other, room["id"], at(11), at(12))
    booking = await book(client, student, room["id"], at(9), at(10))
    move = {"starts_at": at(10, 30).isoformat(), "ends_at": at(11, 30).isoformat()}

    response = await client.patch(f"/bookings/{booking['id']}", json=move, headers=student.headers)

    problem = assert_problem(response, 409)
    assert [instant(c["starts_at"]) for c in problem["conflicts"]] == [at(11)]
    assert await fetch(client, student, booking["id"]) == booking


async def test_a_booking_that_has_started_cannot_be_changed(
    client: AsyncTestClient[Any], actors: Actors, student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))
    await actors.travel(at(9, 15), student)

    response = await client.patch(
        f"/bookings/{booking['id']}", json={"title": "Too late"}, headers=student.headers
    )

    assert_problem(response, 409)
    assert await fetch(client, student, booking["id"]) == booking


async def test_student_moving_an_approved_booking_of_an_approval_room_asks_again(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, approval_room: dict[str, Any]
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))
    approve = await client.post(f"/bookings/{booking['id']}/approve", headers=staff.headers)
    assert approve.json()["status"] == "APPROVED"
    move = {"starts_at": at(13).isoformat(), "ends_at": at(14).isoformat()}

    response = await client.patch(f"/bookings/{booking['id']}", json=move, headers=student.headers)

    assert response.status_code == 200, response.text
    moved = await fetch(client, student, booking["id"])
    assert moved["status"] == "PENDING"
    assert moved["decided_by"] is None
    assert moved["decided_at"] is None
    assert instant(moved["starts_at"]) == at(13)


async def test_staff_moving_an_approved_booking_of_an_approval_room_keeps_it_approved(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, approval_room: dict[str, Any]
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))
    await client.post(f"/bookings/{booking['id']}/approve", headers=staff.headers)
    move = {"starts_at": at(13).isoformat(), "ends_at": at(14).isoformat()}

    response = await client.patch(f"/bookings/{booking['id']}", json=move, headers=staff.headers)

    assert response.status_code == 200, response.text
    moved = await fetch(client, student, booking["id"])
    assert moved["status"] == "APPROVED"
    assert moved["decided_by"] == str(staff.id)
    assert instant(moved["starts_at"]) == at(13)


# --- cancelling ---------------------------------------------------------------------------


async def test_requester_cancels_their_booking(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))

    response = await client.post(f"/bookings/{booking['id']}/cancel", headers=student.headers)

    assert response.status_code == 200
    assert response.json() == {**booking, "status": "CANCELLED"}
    assert (await fetch(client, student, booking["id"]))["status"] == "CANCELLED"


async def test_cancelling_twice_is_a_conflict(
    client: AsyncTestClient[Any], student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))
    url = f"/bookings/{booking['id']}/cancel"
    assert (await client.post(url, headers=student.headers)).status_code == 200

    assert_problem(await client.post(url, headers=student.headers), 409)
    assert (await fetch(client, student, booking["id"]))["status"] == "CANCELLED"


async def test_another_student_cannot_cancel_a_booking(
    client: AsyncTestClient[Any], student: Actor, other: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, other, room["id"], at(9), at(10))

    response = await client.post(f"/bookings/{booking['id']}/cancel", headers=student.headers)

    assert_problem(response, 404)
    assert await fetch(client, other, booking["id"]) == booking


async def test_requester_cannot_cancel_a_booking_that_has_ended(
    client: AsyncTestClient[Any], actors: Actors, student: Actor, room: dict[str, Any]
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))
    await actors.travel(at(10), student)

    response = await client.post(f"/bookings/{booking['id']}/cancel", headers=student.headers)

    assert_problem(response, 409)
    assert await fetch(client, student, booking["id"]) == booking


async def test_staff_cancels_a_booking_that_has_ended(
    client: AsyncTestClient[Any],
    actors: Actors,
    staff: Actor,
    student: Actor,
    room: dict[str, Any],
) -> None:
    booking = await book(client, student, room["id"], at(9), at(10))
    await actors.travel(at(11), staff, student)

    response = await client.post(f"/bookings/{booking['id']}/cancel", headers=staff.headers)

    assert response.status_code == 200
    assert (await fetch(client, student, booking["id"]))["status"] == "CANCELLED"


# --- approving and rejecting --------------------------------------------------------------


async def test_staff_approves_without_a_body_and_the_decision_is_recorded(
    client: AsyncTestClient[Any],
    actors: Actors,
    staff: Actor,
    student: Actor,
    approval_room: dict[str, Any],
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))
    decided_at = at(8, 30, day=1)
    await actors.travel(decided_at, staff, student)

    response = await client.post(f"/bookings/{booking['id']}/approve", headers=staff.headers)

    assert response.status_code == 200, response.text
    approved = await fetch(client, student, booking["id"])
    assert approved == response.json()
    assert approved["status"] == "APPROVED"
    assert approved["decided_by"] == str(staff.id)
    assert instant(approved["decided_at"]) == decided_at
    assert approved["decision_reason"] is None


async def test_admin_approves_with_a_reason(
    client: AsyncTestClient[Any], actors: Actors, student: Actor, approval_room: dict[str, Any]
) -> None:
    admin = await actors.admin()
    booking = await book(client, student, approval_room["id"], at(9), at(10))

    response = await client.post(
        f"/bookings/{booking['id']}/approve", json={"reason": "ok"}, headers=admin.headers
    )

    assert response.status_code == 200, response.text
    approved = await fetch(client, student, booking["id"])
    assert approved["status"] == "APPROVED"
    assert approved["decided_by"] == str(admin.id)
    assert instant(approved["decided_at"]) == NOW
    assert approved["decision_reason"] == "ok"


async def test_staff_rejects_with_a_reason(
    client: AsyncTestClient[Any], staff: Actor, student: Actor, approval_room: dict[str, Any]
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))

    response = await client.post(
        f"/bookings/{booking['id']}/reject", json={"reason": "Exam week"}, headers=staff.headers
    )

    assert response.status_code == 200, response.text
    rejected = await fetch(client, student, booking["id"])
    assert rejected["status"] == "REJECTED"
    assert rejected["decided_by"] == str(staff.id)
    assert instant(rejected["decided_at"]) == NOW
    assert rejected["decision_reason"] == "Exam week"


@pytest.mark.parametrize("state", ["APPROVED", "REJECTED", "CANCELLED"])
@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_only_a_pending_booking_can_be_decided(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    approval_room: dict[str, Any],
    state: str,
    action: str,
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))
    url = f"/bookings/{booking['id']}"
    actor, path, body = {
        "APPROVED": (staff, "approve", None),
        "REJECTED": (staff, "reject", {"reason": "No"}),
        "CANCELLED": (student, "cancel", None),
    }[state]
    assert (await client.post(f"{url}/{path}", json=body, headers=actor.headers)).status_code == 200
    before = await fetch(client, student, booking["id"])

    response = await client.post(
        f"{url}/{action}", json={"reason": "Second thoughts"}, headers=staff.headers
    )

    assert_problem(response, 409)
    assert await fetch(client, student, booking["id"]) == before
    assert before["status"] == state


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
async def test_rejecting_without_a_reason_is_refused(
    client: AsyncTestClient[Any],
    staff: Actor,
    student: Actor,
    approval_room: dict[str, Any],
    body: dict[str, str],
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))

    response = await client.post(
        f"/bookings/{booking['id']}/reject", json=body, headers=staff.headers
    )

    assert field_of(assert_problem(response, 400)) == ["reason"]
    assert await fetch(client, student, booking["id"]) == booking


@pytest.mark.parametrize("action", ["approve", "reject"])
async def test_student_cannot_decide_their_own_booking(
    client: AsyncTestClient[Any], student: Actor, approval_room: dict[str, Any], action: str
) -> None:
    booking = await book(client, student, approval_room["id"], at(9), at(10))

    response = await client.post(
        f"/bookings/{booking['id']}/{action}", json={"reason": "Mine"}, headers=student.headers
    )

    assert_problem(response, 403)
    assert (await fetch(client, student, booking["id"]))["status"] == "PENDING"
