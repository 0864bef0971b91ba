"""A quota holds under concurrency: one student's simultaneous requests, reaching either of
two server processes, cannot both squeeze under it.

Each request is for another hour and, in turn, another of two rooms of the policy, so no
overlap refuses any of them: only the quota, counted after the student's row is locked.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
from uuid import UUID, uuid4

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.tables import bookings
from tests.race.conftest import (
    ACTIVE,
    Server,
    Student,
    all_at_once,
    auth,
    login,
    sign_up,
    unexpected,
)

REQUESTS = 10
ROUNDS = 3
SERIES_ROOMS = 4


async def two_study_rooms(client: httpx.AsyncClient, admin_email: str, count: int = 2) -> list[str]:
    """Two rooms (or `count`) of one policy allowing 120 minutes a day."""
    tag = uuid4().hex[:8]
    token = await login(client, admin_email)
    policy = await client.post(
        "/booking-policies",
        json={"name": f"Group study {tag}", "max_minutes_per_day": 120},
        headers=auth(token),
    )
    assert policy.status_code == 201, policy.text
    rooms = []
    for number in range(1, count + 1):
        room = await client.post(
            "/rooms",
            json={
                "name": f"Study {number} {tag}",
                "building": "Library",
                "capacity": 6,
                "policy_id": policy.json()["id"],
            },
            headers=auth(token),
        )
        assert room.status_code == 201, room.text
        rooms.append(room.json()["id"])
    return rooms


async def book(
    client: httpx.AsyncClient, student: Student, room_id: str, start: datetime
) -> httpx.Response:
    return await client.post(
        "/bookings",
        json={
            "room_id": room_id,
            "title": "Revision",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
        headers=auth(student.token),
    )


async def active_bookings_of(database_url: str, requester: UUID) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(func.count()).where(
                bookings.c.requester_id == requester, bookings.c.status.in_(ACTIVE)
            )
            return int(await connection.scalar(query) or 0)
    finally:
        await engine.dispose()


async def test_ten_requests_of_one_student_against_a_two_a_day_quota_give_two(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    rooms = await two_study_rooms(http, admin)
    student = await sign_up(http, f"quota.{uuid4().hex[:8]}@uni.example")
    me = await http.get("/auth/me", headers=auth(student.token))
    student_id = UUID(me.json()["id"])

    for round_number in range(ROUNDS):
        eight = datetime(2031, 5, 5, 8, tzinfo=UTC) + timedelta(days=round_number)
        requests = [
            partial(book, http, student, rooms[n % 2], eight + timedelta(hours=n))
            for n in range(REQUESTS)
        ]
        responses = await all_at_once(requests)

        statuses = Counter(response.status_code for response in responses)
        assert statuses == {201: 2, 422: REQUESTS - 2}, unexpected(responses, {422})
        for refused in (r for r in responses if r.status_code == 422):
            [violation] = refused.json()["violations"]
            assert violation["code"] == "daily_quota", refused.text
            assert violation["limit"] == 120

    assert await active_bookings_of(server.database_url, student_id) == 2 * ROUNDS


async def staff_member(client: httpx.AsyncClient, admin_email: str) -> str:
    """A new staff member's token."""
    member = await sign_up(client, f"staff.{uuid4().hex[:8]}@uni.example")
    member_id = (await client.get("/auth/me", headers=auth(member.token))).json()["id"]
    promoted = await client.patch(
        f"/admin/users/{member_id}",
        json={"role": "STAFF"},
        headers=auth(await login(client, admin_email)),
    )
    assert promoted.status_code == 200, promoted.text
    return await login(client, member.email)  # the role change ended the old session


async def minutes_held_on(database_url: str, requester: UUID, day: datetime) -> float:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            query = select(bookings.c.starts_at, bookings.c.ends_at).where(
                bookings.c.requester_id == requester,
                bookings.c.status.in_(ACTIVE),
                bookings.c.starts_at >= day,
                bookings.c.starts_at < day + timedelta(days=1),
            )
            rows = (await connection.execute(query)).all()
    finally:
        await engine.dispose()
    return sum((_utc(end) - _utc(start)).total_seconds() / 60 for start, end in rows)


def _utc(instant: datetime) -> datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)  # SQLite reads naive UTC


async def test_staff_lengthening_a_students_series_at_once_keep_to_the_students_quota(
    server: Server, http: httpx.AsyncClient, admin: str
) -> None:
    """Each change counts the student's quota, so each locks the student's row, as the
    student's own requests do: changes to series in four rooms (four room locks, no overlap)
    queue on it, and the day never holds more than its 120 minutes. Without that lock each
    change counts the 60 minutes it read before the others committed, and all four pass."""
    rooms = await two_study_rooms(http, admin, count=SERIES_ROOMS)
    student = await sign_up(http, f"quota.{uuid4().hex[:8]}@uni.example")
    me = await http.get("/auth/me", headers=auth(student.token))
    student_id = UUID(me.json()["id"])
    staff = [await staff_member(http, admin) for _ in rooms]  # one each: no lock of theirs shared

    for round_number in range(ROUNDS):
        day = datetime(2031, 6, 2, tzinfo=UTC) + timedelta(days=round_number)
        series_ids = []
        for n, room_id in enumerate(rooms):  # 15 minutes each, hours apart: 60 minutes held
            start = day + timedelta(hours=8 + 2 * n)
            made = await http.post(
                "/booking-series",
                json={
                    "room_id": room_id,
                    "title": "Tutorial",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(minutes=15)).isoformat(),
                    "recurrence": "FREQ=DAILY;COUNT=1",
                },
                headers=auth(student.token),
            )
            assert made.status_code == 201, made.text
            series_ids.append((made.json()["id"], start))
        lengthen = [  # each to 45 minutes: two fit under the quota, four would make 180
            partial(
                http.patch,
                f"/booking-series/{series_id}",
                json={"end_time": f"{(start + timedelta(minutes=45)):%H:%M}"},
                headers=auth(token),
            )
            for (series_id, start), token in zip(series_ids, staff, strict=True)
        ]
        responses = await all_at_once(lengthen)

        statuses = Counter(response.status_code for response in responses)
        assert statuses == {200: 2, 422: SERIES_ROOMS - 2}, unexpected(responses, {422})
        assert await minutes_held_on(server.database_url, student_id, day) == 120
