"""Who may do what: one table of capabilities and the roles that hold them.

Use-cases check a capability themselves, whoever calls them; the HTTP guards are built from the
same table, so a route and its use-case cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from campus_booking.domain.errors import PermissionDenied
from campus_booking.domain.users import Role, User


class Capability(StrEnum):
    MANAGE_ROOMS = "manage rooms"
    DEACTIVATE_ROOMS = "deactivate rooms"
    LIST_INACTIVE_ROOMS = "list inactive rooms"
    BOOK_WITHOUT_APPROVAL = "book without approval"
    # Anyone sees, changes and cancels their own bookings; this is for everyone else's, and
    # for cancelling one that has ended (see domain/access.py).
    MANAGE_ALL_BOOKINGS = "manage all bookings"
    DECIDE_BOOKINGS = "decide bookings"
    MANAGE_OPENING_HOURS = "manage opening hours"
    MANAGE_CLOSURES = "manage closures"
    MANAGE_BOOKING_POLICIES = "manage booking policies"
    OVERRIDE_BOOKING_POLICY = "override a booking policy"
    MANAGE_USERS = "manage users"
    READ_AUDIT_LOG = "read the audit log"


_STAFF_AND_ADMINS = frozenset({Role.STAFF, Role.ADMIN})
_ADMINS = frozenset({Role.ADMIN})

ROLES: Mapping[Capability, frozenset[Role]] = MappingProxyType(
    {
        Capability.MANAGE_ROOMS: _STAFF_AND_ADMINS,
        Capability.DEACTIVATE_ROOMS: _ADMINS,
        Capability.LIST_INACTIVE_ROOMS: _STAFF_AND_ADMINS,
        Capability.BOOK_WITHOUT_APPROVAL: _STAFF_AND_ADMINS,
        Capability.MANAGE_ALL_BOOKINGS: _STAFF_AND_ADMINS,
        Capability.DECIDE_BOOKINGS: _STAFF_AND_ADMINS,
        Capability.MANAGE_OPENING_HOURS: _STAFF_AND_ADMINS,
        Capability.MANAGE_CLOSURES: _STAFF_AND_ADMINS,
        Capability.MANAGE_BOOKING_POLICIES: _STAFF_AND_ADMINS,
        Capability.OVERRIDE_BOOKING_POLICY: _STAFF_AND_ADMINS,
        Capability.MANAGE_USERS: _ADMINS,
        Capability.READ_AUDIT_LOG: _ADMINS,
    }
)

# A whole route refused names the roles it needs; a route everyone may call names the part of it
# that was refused instead.
_REFUSALS: Mapping[Capability, str] = MappingProxyType(
    {Capability.LIST_INACTIVE_ROOMS: "Only staff and admins may list inactive rooms."}
)


def may(user: User, capability: Capability) -> bool:
    return user.role in ROLES[capability]


def check_may(user: User, capability: Capability) -> None:
    if not may(user, capability):
        raise PermissionDenied(refusal(capability))


def refusal(capability: Capability) -> str:
    """What a caller without `capability` is told."""
    names = ", ".join(sorted(ROLES[capability]))
    return _REFUSALS.get(capability, f"This needs one of the roles: {names}.")
