"""Who may see and change which booking.

A booking that someone may not see is reported as not found, so its existence is not revealed.
"""

from __future__ import annotations

from datetime import datetime

from campus_booking.domain.bookings import Booking
from campus_booking.domain.errors import InvalidTransition, NotFound
from campus_booking.domain.permissions import Capability, may
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User


def may_see(user: User, booking: Booking) -> bool:
    return booking.requester_id == user.id or may(user, Capability.MANAGE_ALL_BOOKINGS)


def check_can_see(user: User, booking: Booking) -> None:
    if not may_see(user, booking):
        raise NotFound("Booking not found.")


def check_can_change(user: User, booking: Booking, now: datetime) -> None:
    """Changes are for active bookings that have not started yet."""
    check_can_see(user, booking)
    if not booking.is_active:
        raise InvalidTransition(f"A {booking.status.value} booking cannot be changed.")
    if booking.slot.start <= now:
        raise InvalidTransition("A booking that has started cannot be changed.")


def check_can_cancel(user: User, booking: Booking, now: datetime) -> None:
    """Requesters may cancel until the booking ends; staff and admins at any time."""
    check_can_see(user, booking)
    if not may(user, Capability.MANAGE_ALL_BOOKINGS) and booking.slot.end <= now:
        raise InvalidTransition("A booking that has ended cannot be cancelled.")


def check_can_decide(room: Room) -> None:
    """A room no longer in use takes no decisions: approving would hold a slot nobody can use."""
    if not room.is_active:
        raise InvalidTransition(
            f"Room {room.name!r} is no longer in use: its bookings cannot be decided."
        )
