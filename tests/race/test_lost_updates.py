"""Two requests that change one booking, room or user at the same moment: none is lost.

Every test runs a real `campus-booking serve --workers 2`, once on SQLite and once on
PostgreSQL, and races two requests per round. After each round the audit trail must replay as
a serial order: each change starts from the state the one before it left, the last one leaves
the row as it is, and every request that was answered with success left exactly one entry
whose result is what its response said. A lost update breaks one of these.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import httpx
from sqlalchemy import RowMapping, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from campus_booking.adapters.database.tables import audit_log, bookings
from tests.race.conftest import (
    PASSWORD,
    Server,
    all_at_once,
    auth,
    login,
    unexpected,
)

ROUNDS = 24
STUDENTS = 4  # rounds rotate between them, so nobody collects too many active bookings
BOOKING_FIELDS = ("status", "starts_at", "ends_at", "title", "decided_by", "decision_reason")


# --- Set-up -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    """An approval room, an admin, a staff member to decide, and students who book."""

    room_id: str
    admin: str
    staff: str
    students: list[str]


async def sign_up(http: httpx.AsyncClient, admin: str, role: str | None = None) -> str:
    """A new account (promoted to `role` by the admin), signed in: its token."""
    email = f"user.{uuid4().hex[:12]}@uni.example"
    response = await http.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Someone"}
    )
    assert response.status_code == 201, response.text
    if role is not None:
        changed = await http.patch(
            f"/admin/users/{response.json()['id']}", json={"role": role}, headers=auth(admin)
        )
        assert changed.status_code == 200, changed.text
    return await login(http, email)


async def open_room(http: httpx.AsyncClient, admin: str) -> str:
    room = await http.post(
        "/rooms",
        json={
            "name": f"Seminar {uuid4().hex[:8]}",
            "building": "Main",
            "capacity": 30,
            "requires_approval": True,
        },
        headers=auth(admin),
    )
    assert room.status_code == 201, room.text
    return str(room.json()["id"])


async def open_office(http: httpx.AsyncClient, admin_email: str) -> Office:
    admin = await login(http, admin_email)
    staff = await sign_up(http, admin, "STAFF")
    students = [await sign_up(http, admin) for _ in range(STUDENTS)]
    return Office(await open_room(http, admin), admin, staff, students)


def slot_of(round_number: int, hours_later: int = 0) -> dict[str, str]:
    """An hour of its own for each round, a week or so from now."""
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        days=7, hours=2 * round_number + hours_later
    )
    end = start + timedelta(hours=1)
    return {"starts_at": start.isoformat(), "ends_at": end.isoformat()}


async def pending_booking(
    http: httpx.AsyncClient, office: Office, round_number: int, room_id: str | None = None
) -> tuple[str, str]:
    """A PENDING booking of a student: its id and the student's token."""
    student = office.students[round_number % STUDENTS]
    response = await http.post(
        "/bookings",
        json={"room_id": room_id or office.room_id, "title": "Study", **slot_of(round_number)},
        headers=auth(student),
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "PENDING"
    return str(response.json()["id"]), student


# --- Reading the outcome ------------------------------------------------------------------


@contextlib.asynccontextmanager
async def database(server: Server) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(server.database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def trail_of(engine: AsyncEngine, entity_id: str) -> list[RowMapping]:
    query = (
        select(audit_log)
        .where(audit_log.c.entity_id == UUID(entity_id))
        .order_by(audit_log.c.occurred_at, audit_log.c.id)
    )
    async with engine.connect() as connection:
        return list((await connection.execute(query)).mappings().all())


async def booking_row(engine: AsyncEngine, booking_id: str) -> dict[str, Any]:
    async with engine.connect() as connection:
        row = (
            (await connection.execute(select(bookings).where(bookings.c.id == UUID(booking_id))))
            .mappings()
            .one()
        )
    return comparable({key: row[key] for key in BOOKING_FIELDS})


def comparable(fields: dict[str, Any]) -> dict[str, Any]:
    """One spelling for values that the row, the trail and a response each write their way."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key in ("starts_at", "ends_at") and isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
        if isinstance(value, UUID):
            value = str(value)
        out[key] = value
    return out


def replay(trail: list[RowMapping]) -> list[tuple[str, dict[str, Any]]]:
    """Each entry's action and the state it left, checking it started where the last one ended.

    A write that read a stale row records a `before` that differs from what the previous
    entry left: the lost update shows here even when the final row looks plausible.
    """
    assert trail, "no audit entries"
    assert trail[0]["action"] == "created", trail
    state = comparable(dict(trail[0]["after"]))
    states = [("created", dict(state))]
    for entry in trail[1:]:
        before, after = comparable(entry["before"]), comparable(entry["after"])
        started_from = {key: state.get(key) for key in before}
        assert started_from == before, (
            f"{entry['action']} started from {before}, but the change before it left "
            f"{started_from}: not a serial order of\n{[dict(e) for e in trail]}"
        )
        state.update(after)
        states.append((entry["action"], dict(state)))
    return states


async def check_booking_round(
    engine: AsyncEngine,
    booking_id: str,
    responses: dict[str, httpx.Response],
) -> None:
    """`responses` by the audit action each one records when it succeeds."""
    states = replay(await trail_of(engine, booking_id))
    final = await booking_row(engine, booking_id)
    assert {key: states[-1][1].get(key) for key in BOOKING_FIELDS} == final, (states, final)

    acknowledged = {action for action, r in responses.items() if r.status_code in (200, 204)}
    recorded = [action for action, _ in states[1:]]
    assert sorted(recorded) == sorted(acknowledged), (
        f"every acknowledged request leaves one entry, every refused one none: {recorded} "
        f"against {[(a, r.status_code) for a, r in responses.items()]}"
    )
    for action, state in states[1:]:
        response = responses[action]
        if response.status_code == 200:  # a booking in the body: what the request was told
            told = comparable({key: response.json()[key] for key in BOOKING_FIELDS})
            assert told == {key: state.get(key) for key in BOOKING_FIELDS}, (action, told, state)


async def race_booking(
    http: httpx.AsyncClient,
    server: Server,
    build: Callable[
        [int], Awaitable[tuple[str, dict[str, Callable[[], Awaitable[httpx.Response]]]]]
    ],
    allowed: set[int],
) -> list[tuple[int, ...]]:
    """`ROUNDS` rounds of `build(round)` → (booking id, racing requests by audit action)."""
    outcomes = []
    async with database(server) as engine:
        for round_number in range(ROUNDS):
            booking_id, racers = await build(round_number)
            answered = await all_at_once(list(racers.values()))
            assert all(r.status_code in allowed for r in answered), unexpected(answered, allowed)
            await check_booking_round(engine, booking_id, dict(zip(racers, answered, strict=True)))
            outcomes.append(tuple(r.status_code for r in answered))
    return outcomes


def post(http: httpx.AsyncClient, path: str, token: str, body: Any = None) -> Any:
    return partial(http.post, path, json=body, headers=auth(token))


# --- Booking against booking --------------------------------------------------------------


async def test_a_student_cancels_while_staff_approves(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    office = await open_office(http, admin)

    async def build(number: int) -> tuple[str, dict[str, Any]]:
        booking_id, student = await pending_booking(http, office, number)
        return booking_id, {
            "cancelled": post(http, f"/bookings/{booking_id}/cancel", student),
            "approved": post(http, f"/bookings/{booking_id}/approve", office.staff),
        }

    outcomes = await race_booking(http, server, build, {200, 409})
    # Cancelling an APPROVED booking is allowed: both may succeed, but only in that order.
    assert all(cancel == 200 for cancel, _approve in outcomes), outcomes


async def test_staff_approves_while_other_staff_rejects(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    office = await open_office(http, admin)

    async def build(number: int) -> tuple[str, dict[str, Any]]:
        booking_id, _student = await pending_booking(http, office, number)
        return booking_id, {
            "approved": post(http, f"/bookings/{booking_id}/approve", office.staff),
            "rejected": post(
                http, f"/bookings/{booking_id}/reject", office.admin, {"reason": "Exams"}
            ),
        }

    outcomes = await race_booking(http, server, build, {200, 409})
    assert all(sorted(outcome) == [200, 409] for outcome in outcomes), outcomes


async def test_a_student_cancels_while_retitling(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    office = await open_office(http, admin)

    async def build(number: int) -> tuple[str, dict[str, Any]]:
        booking_id, student = await pending_booking(http, office, number)
        retitle = partial(
            http.patch,
            f"/bookings/{booking_id}",
            json={"title": f"Renamed {number}"},
            headers=auth(student),
        )
        return booking_id, {
            "cancelled": post(http, f"/bookings/{booking_id}/cancel", student),
            "changed": retitle,
        }

    outcomes = await race_booking(http, server, build, {200, 409})
    assert all(cancel == 200 for cancel, _retitle in outcomes), outcomes


async def test_a_student_moves_while_staff_approves(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    office = await open_office(http, admin)

    async def build(number: int) -> tuple[str, dict[str, Any]]:
        booking_id, student = await pending_booking(http, office, number)
        move = partial(
            http.patch,
            f"/bookings/{booking_id}",
            json=slot_of(number, hours_later=1),
            headers=auth(student),
        )
        return booking_id, {
            "changed": move,
            "approved": post(http, f"/bookings/{booking_id}/approve", office.staff),
        }

    outcomes = await race_booking(http, server, build, {200, 409})
    # A move is never undone: it either lands before the approval (which approves the new
    # times) or after it (and asks for approval again, in a room that needs it).
    assert all(move == 200 for move, _approve in outcomes), outcomes


# --- Room against booking -----------------------------------------------------------------


async def test_a_room_is_deactivated_while_staff_approves_one_of_its_bookings(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    office = await open_office(http, admin)

    async def build(number: int) -> tuple[str, dict[str, Any]]:
        room_id = await open_room(http, office.admin)
        booking_id, _student = await pending_booking(http, office, number, room_id)
        deactivate = partial(
            http.delete,
            f"/rooms/{room_id}",
            params={"cancel_bookings": "true"},
            headers=auth(office.admin),
        )
        return booking_id, {
            "cancelled": deactivate,
            "approved": post(http, f"/bookings/{booking_id}/approve", office.staff),
        }

    outcomes = await race_booking(http, server, build, {200, 204, 409})
    # Whatever the order, the inactive room holds no active booking at the end.
    assert all(deactivate == 204 for deactivate, _approve in outcomes), outcomes


# --- A user's role against the same user's request ----------------------------------------


async def role_changes(engine: AsyncEngine, user_id: str, role: str) -> list[RowMapping]:
    """The entries that gave the user `role`."""
    return [
        entry
        for entry in await trail_of(engine, user_id)
        if entry["action"] == "changed" and (entry["after"] or {}).get("role") == role
    ]


async def me(http: httpx.AsyncClient, token: str) -> dict[str, Any]:
    response = await http.get("/auth/me", headers=auth(token))
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_staff_is_demoted_while_approving(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    """An approval commits before the demotion, or is refused: never by a demoted user."""
    office = await open_office(http, admin)
    async with database(server) as engine:
        for number in range(ROUNDS):
            staff = await sign_up(http, office.admin, "STAFF")
            staff_id = (await me(http, staff))["id"]
            booking_id, _student = await pending_booking(http, office, number)
            approve, demote = await all_at_once(
                [
                    post(http, f"/bookings/{booking_id}/approve", staff),
                    partial(
                        http.patch,
                        f"/admin/users/{staff_id}",
                        json={"role": "STUDENT"},
                        headers=auth(office.admin),
                    ),
                ]
            )
            assert demote.status_code == 200, demote.text
            assert approve.status_code in (200, 401), approve.text

            (demoted,) = await role_changes(engine, staff_id, "STUDENT")
            states = replay(await trail_of(engine, booking_id))
            approvals = [e for e in await trail_of(engine, booking_id) if e["action"] == "approved"]
            if approve.status_code == 200:
                assert states[-1][1]["decided_by"] == staff_id
                assert approvals[0]["occurred_at"] < demoted["occurred_at"]
            else:
                assert approvals == [], "a refused approval left an entry"
                assert (await booking_row(engine, booking_id))["status"] == "PENDING"


async def test_an_admin_is_demoted_while_promoting_someone(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    """A demoted admin's racing request cannot promote anyone after the demotion committed."""
    office = await open_office(http, admin)
    async with database(server) as engine:
        for _ in range(ROUNDS):
            other_admin = await sign_up(http, office.admin, "ADMIN")
            other_id = (await me(http, other_admin))["id"]
            student = await sign_up(http, office.admin)
            student_id = (await me(http, student))["id"]
            promote, demote = await all_at_once(
                [
                    partial(
                        http.patch,
                        f"/admin/users/{student_id}",
                        json={"role": "STAFF"},
                        headers=auth(other_admin),
                    ),
                    partial(
                        http.patch,
                        f"/admin/users/{other_id}",
                        json={"role": "STAFF"},
                        headers=auth(office.admin),
                    ),
                ]
            )
            assert demote.status_code == 200, demote.text
            assert promote.status_code in (200, 401), promote.text

            (demoted,) = await role_changes(engine, other_id, "STAFF")
            promotions = await role_changes(engine, student_id, "STAFF")
            if promote.status_code == 200:
                assert promotions[0]["occurred_at"] < demoted["occurred_at"]
                assert promotions[0]["actor_id"] == UUID(other_id)
            else:
                assert promotions == [], "a refused promotion left an entry"
