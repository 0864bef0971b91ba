"""The audit trail: written from the events a unit of work publishes, and read back."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from campus_booking.application.ports import UnitOfWork, UnitOfWorkFactory
from campus_booking.application.queries import AuditFilter, Page, PageRequest
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.events import (
    BookingApproved,
    BookingCancelled,
    BookingChanged,
    BookingPolicyChanged,
    BookingPolicyCreated,
    BookingPolicyDeleted,
    BookingRejected,
    BookingRequested,
    BookingSeriesChanged,
    BookingSeriesCreated,
    ClosureCreated,
    ClosureRemoved,
    DomainEvent,
    Fields,
    OpeningHoursChanged,
    RoomChanged,
    RoomCreated,
    RoomDeactivated,
    UserActivationChanged,
    UserPasswordChanged,
    UserRegistered,
    UserRoleChanged,
    UserSignedOutEverywhere,
    only_changed,
)
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.users import User

ENTRY_OF: dict[type[DomainEvent], tuple[Entity, Action]] = {
    BookingRequested: (Entity.BOOKING, Action.CREATED),
    BookingChanged: (Entity.BOOKING, Action.CHANGED),
    BookingApproved: (Entity.BOOKING, Action.APPROVED),
    BookingRejected: (Entity.BOOKING, Action.REJECTED),
    BookingCancelled: (Entity.BOOKING, Action.CANCELLED),
    BookingSeriesCreated: (Entity.BOOKING_SERIES, Action.CREATED),
    BookingSeriesChanged: (Entity.BOOKING_SERIES, Action.CHANGED),
    BookingPolicyCreated: (Entity.BOOKING_POLICY, Action.CREATED),
    BookingPolicyChanged: (Entity.BOOKING_POLICY, Action.CHANGED),
    BookingPolicyDeleted: (Entity.BOOKING_POLICY, Action.DELETED),
    RoomCreated: (Entity.ROOM, Action.CREATED),
    RoomChanged: (Entity.ROOM, Action.CHANGED),
    RoomDeactivated: (Entity.ROOM, Action.DEACTIVATED),
    OpeningHoursChanged: (Entity.ROOM, Action.CHANGED),
    ClosureCreated: (Entity.CLOSURE, Action.CREATED),
    ClosureRemoved: (Entity.CLOSURE, Action.DELETED),
    UserRegistered: (Entity.USER, Action.CREATED),
    UserRoleChanged: (Entity.USER, Action.CHANGED),
    UserActivationChanged: (Entity.USER, Action.CHANGED),
    UserSignedOutEverywhere: (Entity.USER, Action.SIGNED_OUT),
    UserPasswordChanged: (Entity.USER, Action.PASSWORD_CHANGED),
}


async def write_audit_trail(uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
    """An event handler: the commit's entries, in one statement of the caller's transaction."""
    entries = audit_entries(events)
    if entries:
        await uow.audit.add_many(entries)


def audit_entries(events: Sequence[DomainEvent]) -> list[AuditEntry]:
    """One entry per subject and action of a commit, in the order they first happened.

    Events can be finer than entries: a role and a status changed by one request are two
    events and one "changed" entry holding both fields. The entry takes the first event's
    actor and time, each field's first value before and its last after; fields that end
    where they began are left out, and an entry left with none is dropped.
    """
    groups: dict[tuple[Entity, UUID, Action], list[DomainEvent]] = {}
    for event in events:
        entity, action = ENTRY_OF[type(event)]
        groups.setdefault((entity, event.subject_id, action), []).append(event)
    entries = []
    for (entity, subject_id, action), group in groups.items():
        first = group[0]
        before, after = first.before, first.after
        if len(group) > 1 and before is not None and after is not None:
            before, after = _merged(group)
            if not after:
                continue
        entries.append(
            AuditEntry(
                at=first.at,
                actor_id=first.actor_id,
                entity=entity,
                entity_id=subject_id,
                action=action,
                before=before,
                after=after,
            )
        )
    return entries


def _merged(group: list[DomainEvent]) -> tuple[Fields, Fields]:
    before: Fields = {}
    after: Fields = {}
    for event in group:
        for name, value in (event.before or {}).items():
            before.setdefault(name, value)
        after.update(event.after or {})
    return only_changed(before, after)


class ListAuditEntries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, actor: User, filter: AuditFilter, page: PageRequest
    ) -> Page[AuditEntry]:
        check_may(actor, Capability.READ_AUDIT_LOG)
        async with self._uow(read_only=True) as uow:
            return await uow.audit.search(filter, page)
