"""What a requester sends the booking use-cases, and the rules those apply."""

from __future__ import annotations

from datetime import timedelta

from campus_booking.application.bookings import ChangeBookingCommand, CreateBookingCommand
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.rooms import Room
from tests.unit.builders import at

RULES = BookingRules(max_duration=timedelta(hours=8))


def book(
    room: Room,
    start: float,
    end: float,
    *,
    title: str = "Study",
    attendees: int = 2,
    override_policy: bool = False,
) -> CreateBookingCommand:
    """A request for `room` from `start` to `end` hours after NOW."""
    return CreateBookingCommand(
        room_id=room.id,
        starts_at=at(start),
        ends_at=at(end),
        title=title,
        attendees=attendees,
        override_policy=override_policy,
    )


def move(start: float, end: float) -> ChangeBookingCommand:
    """A change to new times only, `start` to `end` hours after NOW."""
    return ChangeBookingCommand(starts_at=at(start), ends_at=at(end))
