"""Approval policy: who may book a room outright, and who must wait for a decision."""

from __future__ import annotations

from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User

DECIDING_ROLES = frozenset({Role.STAFF, Role.ADMIN})


def needs_approval(requester: User, room: Room) -> bool:
    """Staff and admins manage rooms, so their own bookings need nobody's approval."""
    return room.requires_approval and requester.role not in DECIDING_ROLES


def may_decide(user: User) -> bool:
    return user.role in DECIDING_ROLES
