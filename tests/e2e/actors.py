"""Signed-in users of each role, rooms and bookings for end-to-end tests, made over real HTTP.

The tests run on a `FixedClock` that must be installed (`fix_clock`) before the first request,
so that tokens are issued and checked against it. A token lives one hour of that clock: after
moving the clock with `Actors.travel`, the actors named there sign in again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from dependency_injector import providers
from litestar.testing import AsyncTestClient

from campus_booking.adapters.clock import FixedClock
from campus_booking.application.queries import BookingFilter, PageRequest, RoomFilter
from campus_booking.container import Container
from campus_booking.domain.bookings import Booking
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.e2e.conftest import auth, login, register, set_role

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)


UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def fix_clock(container: Container, now: datetime = NOW) -> FixedClock:
    """Stops time at `now` for the container; the container fixture undoes the override."""
    clock = FixedClock(now)
    container.clock.override(providers.Object(clock))
    return clock


def at(hour: int, minute: int = 0, *, day: int = 2) -> datetime:
    """An instant of January 2030 in UTC: by default on the day after `NOW`."""
    return datetime(2030, 1, day, hour, minute, tzinfo=UTC)


def instant(text: str) -> datetime:
    """An instant as the API writes it (`...Z`), comparable with `at(...)`."""
    return datetime.fromisoformat(text)


@dataclass
class Actor:
    id: UUID
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


class Actors:
    """Makes users of any role: registered over HTTP, promoted in the store, then signed in."""

    def __init__(
        self, client: AsyncTestClient[Any], container: Container, clock: FixedClock
    ) -> None:
        self._client = client
        self._container = container
        self.clock = clock

    async def make(self, role: Role, name: str) -> Actor:
        email = f"{name}@uni.example"
        response = await register(self._client, email, full_name=name.title())
        assert response.status_code == 201, response.text
        user_id = UUID(response.json()["id"])
        if role is not Role.STUDENT:
            await set_role(self._container, user_id, role)
        return Actor(user_id, email, role, await login(self._client, email))

    async def student(self, name: str = "stu") -> Actor:
        return await self.make(Role.STUDENT, name)

    async def staff(self, name: str = "sam") -> Actor:
        return await self.make(Role.STAFF, name)

    async def admin(self, name: str = "ada") -> Actor:
        return await self.make(Role.ADMIN, name)

    async def travel(self, to: datetime, *actors: Actor) -> None:
        """Sets the clock to `to`; `actors` sign in again, as their tokens may have expired."""
        self.clock.set(to)
        for actor in actors:
            actor.token = await login(self._client, actor.email)


# --- rooms and bookings -------------------------------------------------------------------


def room_body(
    name: str = "Lab 1",
    *,
    building: str = "Main",
    capacity: int = 10,
    features: tuple[str, ...] = (),
    requires_approval: bool = False,
    policy_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "building": building,
        "capacity": capacity,
        "features": list(features),
        "requires_approval": requires_approval,
    }
    if policy_id is not None:
        body["policy_id"] = policy_id
    return body


async def create_room(
    client: AsyncTestClient[Any], actor: Actor, name: str = "Lab 1", **fields: Any
) -> dict[str, Any]:
    response = await client.post("/rooms", json=room_body(name, **fields), headers=actor.headers)
    assert response.status_code == 201, response.text
    room: dict[str, Any] = response.json()
    return room


def booking_body(
    room_id: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    title: str = "Seminar",
    attendees: int = 1,
) -> dict[str, Any]:
    return {
        "room_id": room_id,
        "starts_at": starts_at.isoformat(),
        "ends_at": ends_at.isoformat(),
        "title": title,
        "attendees": attendees,
    }


async def book(
    client: AsyncTestClient[Any],
    actor: Actor,
    room_id: str,
    starts_at: datetime,
    ends_at: datetime,
    **fields: Any,
) -> dict[str, Any]:
    response = await client.post(
        "/bookings", json=booking_body(room_id, starts_at, ends_at, **fields), headers=actor.headers
    )
    assert response.status_code == 201, response.text
    booking: dict[str, Any] = response.json()
    return booking


# --- what the store holds, read past the API ----------------------------------------------


async def stored_bookings(container: Container) -> list[Booking]:
    async with container.uow(read_only=True) as uow:
        page = await uow.bookings.search(BookingFilter(), PageRequest(limit=100))
    return page.items


async def stored_rooms(container: Container) -> list[Room]:
    async with container.uow(read_only=True) as uow:
        page = await uow.rooms.search(RoomFilter(include_inactive=True), PageRequest(limit=100))
    return page.items


async def stored_user(container: Container, user_id: UUID) -> User:
    async with container.uow(read_only=True) as uow:
        user = await uow.users.get(user_id)
    assert user is not None
    return user
