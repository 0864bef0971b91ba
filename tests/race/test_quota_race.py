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


async def two_study_rooms(client: httpx.AsyncClient, admin_email: str) -> list[str]:
    """Two rooms of one policy allowing 120 minutes a day."""
    tag = uuid4().hex[:8]
    token = await login(client, admin_email)
    policy = await client.post(
        "/booking-policies",
        json={"name": f"Group study {tag}", "max_minutes_per_day": 120},
        headers=auth(token),
    )
    assert policy.status_code == 201, policy.text
    rooms = []
    for number in (1, 2):
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
