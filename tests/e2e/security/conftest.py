"""The resources suite's fixed clock and actors, and one valid example of each JSON write."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.actors import Actor, at, book, booking_body, create_room, room_body
from tests.e2e.conftest import PASSWORD
from tests.e2e.resources.conftest import actors, admin, clock, other, staff, student

__all__ = ["actors", "admin", "clock", "other", "staff", "student"]


@dataclass
class Write:
    """A JSON write its caller may make: attacks change the body and expect a refusal."""

    method: str
    path: str
    body: dict[str, Any]
    caller: Actor | None
    ok: int

    @property
    def headers(self) -> dict[str, str]:
        return self.caller.headers if self.caller else {}


WRITES = ["register", "create room", "change room", "book", "change booking"]


@pytest.fixture(params=WRITES)
async def write(
    request: pytest.FixtureRequest, client: AsyncTestClient[Any], staff: Actor, student: Actor
) -> Write:
    room = await create_room(client, staff, "Lab", requires_approval=True)
    booking = await book(client, student, room["id"], at(9), at(10))
    writes = {
        "register": Write(
            "POST",
            "/auth/register",
            {"email": "eve@uni.example", "password": PASSWORD, "full_name": "Eve"},
            None,
            201,
        ),
        "create room": Write("POST", "/rooms", room_body("Other"), staff, 201),
        "change room": Write("PATCH", f"/rooms/{room['id']}", {"capacity": 20}, staff, 200),
        "book": Write("POST", "/bookings", booking_body(room["id"], at(11), at(12)), student, 201),
        "change booking": Write(
            "PATCH", f"/bookings/{booking['id']}", {"title": "Renamed"}, student, 200
        ),
    }
    return writes[request.param]
