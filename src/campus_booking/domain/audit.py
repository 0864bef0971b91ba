"""The audit trail: who changed which booking, room or account, when, and from what to what.

Entries are written in the same transaction as the change they describe, so the trail holds
every committed change and nothing that was rolled back. Fields are kept as plain JSON values
(text, numbers, booleans, lists), and only the fields a change touched are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TypeAlias
from uuid import UUID, uuid4

from campus_booking.domain.bookings import Booking
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User

FieldValue: TypeAlias = str | int | bool | list[str] | None
Fields: TypeAlias = dict[str, FieldValue]


class Entity(StrEnum):
    BOOKING = "booking"
    ROOM = "room"
    USER = "user"


class Action(StrEnum):
    CREATED = "created"
    CHANGED = "changed"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    DEACTIVATED = "deactivated"
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


def audit_fields(subject: Booking | Room | User) -> tuple[Entity, Fields]:
    """What the trail keeps of each kind of thing; never a password hash or token version."""
    if isinstance(subject, Booking):
        return Entity.BOOKING, {
            "room_id": str(subject.room_id),
            "requester_id": str(subject.requester_id),
            "starts_at": subject.slot.start.isoformat(),
            "ends_at": subject.slot.end.isoformat(),
            "title": subject.title,
            "attendees": subject.attendees,
            "status": subject.status.value,
            "decided_by": str(subject.decided_by) if subject.decided_by else None,
            "decision_reason": subject.decision_reason,
        }
    if isinstance(subject, Room):
        return Entity.ROOM, {
            "name": subject.name,
            "building": subject.building,
            "capacity": subject.capacity,
            "features": sorted(subject.features),
            "requires_approval": subject.requires_approval,
            "is_active": subject.is_active,
        }
    return Entity.USER, {
        "email": subject.email,
        "full_name": subject.full_name,
        "role": subject.role.value,
        "is_active": subject.is_active,
    }


def record(
    *,
    actor: User | None,
    action: Action,
    subject: Booking | Room | User,
    before: Fields | None,
    at: datetime,
) -> AuditEntry | None:
    """An entry for `subject` as it is now against `before` (None for a creation).

    None when nothing the trail keeps has changed, so no-op edits leave no noise.
    """
    entity, after = audit_fields(subject)
    if before is not None:
        changed = [name for name in after if after[name] != before.get(name)]
        if not changed:
            return None
        before = {name: before.get(name) for name in changed}
        after = {name: after[name] for name in changed}
    return AuditEntry(
        at=at,
        actor_id=actor.id if actor else None,
        entity=entity,
        entity_id=subject.id,
        action=action,
        before=before,
        after=after,
    )


def record_event(*, actor: User, action: Action, subject: User, at: datetime) -> AuditEntry:
    """An entry for an account change the trail keeps no field of: a sign-out everywhere, a
    new password. Who, what and when only: no before or after, so never a password hash."""
    entity, _ = audit_fields(subject)
    return AuditEntry(
        at=at,
        actor_id=actor.id,
        entity=entity,
        entity_id=subject.id,
        action=action,
        before=None,
        after=None,
    )
