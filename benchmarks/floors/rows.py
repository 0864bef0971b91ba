"""Rows into the service's JSON shapes (its own msgspec structs), and bookings into rows.

The columns come in the order of `statements`' column lists. A `Codec` says how a driver takes
and gives ids and instants: asyncpg as Python objects, sqlite3 as the text the service's column
types store (see `sqlite`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from campus_booking.adapters.http.bookings import BookingOut
from campus_booking.adapters.http.rooms import RoomOut
from campus_booking.adapters.http.users import UserOut
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.users import Role

Row = Sequence[Any]


def _same(value: Any) -> Any:
    return value


@dataclass(frozen=True, slots=True)
class Codec:
    read_uuid: Callable[[Any], UUID] = _same
    read_instant: Callable[[Any], datetime] = _same
    write_uuid: Callable[[UUID], Any] = _same
    write_instant: Callable[[datetime], Any] = _same


NATIVE = Codec()  # asyncpg: UUIDs and aware datetimes both ways


def user_out(row: Row, codec: Codec) -> UserOut:
    user_id, email, full_name, role, _hash, is_active, _token_version, created_at = row
    return UserOut(
        id=codec.read_uuid(user_id),
        email=email,
        full_name=full_name,
        role=Role(role),
        is_active=bool(is_active),
        created_at=codec.read_instant(created_at),
    )


def room_out(row: Row, codec: Codec) -> RoomOut:
    room_id, name, building, capacity, requires_approval, is_active, created_at, zone = row[:8]
    policy_id, features = row[8:]
    return RoomOut(
        id=codec.read_uuid(room_id),
        name=name,
        building=building,
        capacity=capacity,
        features=sorted(features.split(",")) if features else [],
        requires_approval=bool(requires_approval),
        is_active=bool(is_active),
        time_zone=zone,
        created_at=codec.read_instant(created_at),
        policy_id=None if policy_id is None else codec.read_uuid(policy_id),
    )


def booking_out(row: Row, codec: Codec) -> BookingOut:
    booking_id, room_id, requester_id, starts_at, ends_at, title, attendees, status = row[:8]
    decided_by, decided_at, decision_reason, created_at = row[8:]
    return BookingOut(
        id=codec.read_uuid(booking_id),
        room_id=codec.read_uuid(room_id),
        requester_id=codec.read_uuid(requester_id),
        starts_at=codec.read_instant(starts_at),
        ends_at=codec.read_instant(ends_at),
        title=title,
        attendees=attendees,
        status=BookingStatus(status),
        decided_by=None if decided_by is None else codec.read_uuid(decided_by),
        decided_at=None if decided_at is None else codec.read_instant(decided_at),
        decision_reason=decision_reason,
        created_at=codec.read_instant(created_at),
    )


def booking_row(booking: Booking, codec: Codec) -> tuple[Any, ...]:
    """A new booking (not decided yet) as the twelve values of `insert_booking`."""
    return (
        codec.write_uuid(booking.id),
        codec.write_uuid(booking.room_id),
        codec.write_uuid(booking.requester_id),
        codec.write_instant(booking.slot.start),
        codec.write_instant(booking.slot.end),
        booking.title,
        booking.attendees,
        booking.status.value,
        None,
        None,
        None,
        codec.write_instant(booking.created_at),
    )
