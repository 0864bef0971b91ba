"""Booking rules: what a request for a room must satisfy before its slot is even looked at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from campus_booking.domain.errors import Conflict, InvalidValue
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import LONGEST_SLOT, TimeSlot


@dataclass(frozen=True, slots=True)
class BookingRules:
    max_duration: timedelta = timedelta(hours=8)

    def __post_init__(self) -> None:
        if not timedelta(0) < self.max_duration <= LONGEST_SLOT:
            raise ValueError("the maximum booking duration must be within 24 hours")

    def check(self, *, room: Room, slot: TimeSlot, attendees: int, now: datetime) -> None:
        if not room.is_active:
            raise Conflict(f"Room {room.name!r} is no longer in use and cannot be booked.")
        if slot.start < now:
            raise InvalidValue("starts_at", "must not be in the past")
        if slot.duration > self.max_duration:
            hours = self.max_duration / timedelta(hours=1)
            raise InvalidValue("ends_at", f"a booking may last at most {hours:g} hours")
        if attendees > room.capacity:
            raise InvalidValue("attendees", f"the room holds at most {room.capacity} people")
