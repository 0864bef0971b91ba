"""The audit trail as the tests compare it: entries by value, without their random ids."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from campus_booking.adapters.memory import MemoryStore
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.users import User
from tests.unit.builders import NOW, at

LATER = NOW + timedelta(minutes=7)  # the clock is moved here before a change, to tell it apart


def iso(hours: float) -> str:
    """How the trail writes the instant `hours` after NOW."""
    return at(hours).isoformat()


def entry(
    entity: Entity,
    entity_id: UUID,
    action: Action,
    actor: User | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    when: datetime = NOW,
) -> dict[str, Any]:
    """An expected entry, as `trail` shows them."""
    return {
        "at": when,
        "actor_id": actor.id if actor else None,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
    }


def without_id(audit_entry: AuditEntry) -> dict[str, Any]:
    fields = asdict(audit_entry)
    del fields["id"]
    return fields


def trail(store: MemoryStore) -> list[dict[str, Any]]:
    """The committed entries in the order written, without their random ids."""
    return [without_id(e) for e in store.audit]


def snapshot(store: MemoryStore) -> list[dict[str, Any]]:
    """The committed entries by value, ids included, to check that a refusal adds none."""
    return [asdict(e) for e in store.audit]
