"""Approval policy: who may book a room outright, and who must wait for a decision."""

from __future__ import annotations

from campus_booking.domain.permissions import Capability, may
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User


def needs_approval(requester: User, room: Room) -> bool:
    """Staff and admins manage rooms, so their own bookings need nobody's approval."""
    return room.requires_approval and not may(requester, Capability.BOOK_WITHOUT_APPROVAL)
