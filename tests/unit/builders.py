"""Builders for the unit tests: a user, a room, a booking, and the moments they live at.

Every builder has defaults that make a valid, unremarkable thing, so that a test names only
what matters to it: `add_booking(store, room, slot(1, 2), by=student, status=PENDING)`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from campus_booking.adapters.memory import MemoryStore
from campus_booking.domain.booking_policies import BookingPolicy, PolicyLimits
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)  # when the users, rooms and bookings given were made
PASSWORD = "correct horse battery"  # one that meets the password rules
CLIENT = "192.0.2.10"  # the address requests come from


def at(hours: float) -> datetime:
    """The instant `hours` after NOW (before it when negative)."""
    return NOW + timedelta(hours=hours)


def slot(start: float, end: float) -> TimeSlot:
    """The slot from `start` to `end` hours after NOW."""
    return TimeSlot(at(start), at(end))


def times(start: float, end: float) -> tuple[datetime, datetime]:
    """A slot's times as a refusal for a taken slot lists them."""
    return at(start), at(end)


def a_user(
    role: Role = Role.STUDENT,
    *,
    email: str | None = None,
    full_name: str = "Someone",
    is_active: bool = True,
    token_version: int = 0,
) -> User:
    """Without `email`, a fresh one: users given one after the other never clash."""
    return User(
        email=email or f"{uuid4().hex[:8]}@uni.edu",
        full_name=full_name,
        password_hash="hash",
        created_at=EARLIER,
        role=role,
        is_active=is_active,
        token_version=token_version,
    )


def a_room(
    name: str = "Oak",
    *,
    building: str = "Main",
    capacity: int = 10,
    features: frozenset[str] = frozenset(),
    requires_approval: bool = False,
    is_active: bool = True,
    time_zone: str = "UTC",
    policy_id: UUID | None = None,
) -> Room:
    return Room(
        name=name,
        building=building,
        capacity=capacity,
        created_at=EARLIER,
        features=features,
        requires_approval=requires_approval,
        is_active=is_active,
        time_zone=time_zone,
        policy_id=policy_id,
    )


def a_booking(
    room: Room,
    booked: TimeSlot,
    *,
    by: User | None = None,
    status: BookingStatus = BookingStatus.APPROVED,
    attendees: int = 4,
    decided_by: UUID | None = None,
    title: str = "Seminar",
) -> Booking:
    """Without `by`, requested by someone unknown; with `decided_by`, decided EARLIER."""
    return Booking(
        room_id=room.id,
        requester_id=by.id if by else uuid4(),
        slot=booked,
        title=title,
        attendees=attendees,
        status=status,
        created_at=EARLIER,
        decided_by=decided_by,
        decided_at=EARLIER if decided_by else None,
        decision_reason="Fine by me" if decided_by else None,
    )


def period(start: float, end: float) -> Period:
    """The period from `start` to `end` hours after NOW: any length, unlike a slot."""
    return Period(at(start), at(end))


def a_closure(room: Room, closed: Period, *, reason: str = "Renovation") -> Closure:
    return Closure(
        room_id=room.id, period=closed, reason=reason, created_by=None, created_at=EARLIER
    )


def add_closure(store: MemoryStore, room: Room, closed: Period, **fields: Any) -> Closure:
    """`a_closure(room, closed, **fields)`, in the store."""
    closure = a_closure(room, closed, **fields)
    store.closures[closure.id] = closure
    return closure


def add_user(store: MemoryStore, role: Role = Role.STUDENT, **fields: Any) -> User:
    """`a_user(role, **fields)`, in the store."""
    user = a_user(role, **fields)
    store.users[user.id] = user
    return user


def add_room(store: MemoryStore, name: str = "Oak", **fields: Any) -> Room:
    """`a_room(name, **fields)`, in the store."""
    room = a_room(name, **fields)
    store.rooms[room.id] = room
    return room


def add_policy(store: MemoryStore, name: str = "Group study", **limits: Any) -> BookingPolicy:
    """A policy of `limits` (`PolicyLimits` fields), in the store."""
    policy = BookingPolicy(name=name, limits=PolicyLimits(**limits), created_at=EARLIER)
    store.policies[policy.id] = policy
    return policy


def add_booking(store: MemoryStore, room: Room, booked: TimeSlot, **fields: Any) -> Booking:
    """`a_booking(room, booked, **fields)`, in the store."""
    booking = a_booking(room, booked, **fields)
    store.bookings[booking.id] = booking
    return booking
