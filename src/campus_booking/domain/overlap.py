"""Overlap policy: which active bookings of a room a slot would collide with."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from campus_booking.domain.bookings import Booking
from campus_booking.domain.time_slots import TimeSlot


def find_conflicts(
    slot: TimeSlot,
    bookings: Iterable[Booking],
    *,
    room_id: UUID,
    ignore: UUID | None = None,
) -> list[Booking]:
    """Active bookings of `room_id` overlapping `slot`, earliest first.

    `ignore` is the booking being moved, which cannot conflict with itself.
    """
    clashes = [
        booking
        for booking in bookings
        if booking.room_id == room_id
        and booking.id != ignore
        and booking.is_active
        and booking.slot.overlaps(slot)
    ]
    return sorted(clashes, key=lambda booking: booking.slot.start)
