"""The audit trail: who changed which booking, room, closure or account, when, from what to what.

Entries are written from the aggregates' events (see events.py) in the same transaction as
the change they describe, so the trail holds every committed change and nothing that was
rolled back. Fields are kept as plain JSON values (text, numbers, booleans, lists), and only
the fields a change touched are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from campus_booking.domain.events import Fields


class Entity(StrEnum):
    BOOKING = "booking"
    BOOKING_SERIES = "booking_series"
    ROOM = "room"
    CLOSURE = "closure"
    USER = "user"
    BOOKING_POLICY = "booking_policy"


class Action(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"
    DELETED = "deleted"
    SIGNED_OUT = "signed_out"  # every session of the account ended
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an action; 16 characters, the column width)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    actor_id: UUID | None  # None: the command line, outside any account
    entity: Entity
    entity_id: UUID
    action: Action
    before: Fields | None
    after: Fields | None
    id: UUID = field(default_factory=uuid4)
