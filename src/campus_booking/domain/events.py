"""What happened to an aggregate, recorded by the aggregate as it happens.

An aggregate's methods append events to its `events`; the unit of work that loaded or added
it hands them to its handlers on commit (the audit trail, for one), in the same transaction,
and drops them on rollback. An event carries who did it (None: the command line), when, to
what, and the fields the trail keeps before and after: only those that changed, as plain JSON
values, never a password hash or token version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias
from uuid import UUID

FieldValue: TypeAlias = str | int | bool | list[str] | None
Fields: TypeAlias = dict[str, FieldValue]


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    actor_id: UUID | None
    at: datetime
    subject_id: UUID
    before: Fields | None = None  # None for a creation, or for what changes no kept field
    after: Fields | None = None


@dataclass(frozen=True, slots=True)
class BookingRequested(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingChanged(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingApproved(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingRejected(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingCancelled(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingSeriesCreated(DomainEvent):
    """A series was made; its occurrences are each a booking with its own events."""


@dataclass(frozen=True, slots=True)
class BookingSeriesChanged(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class RoomCreated(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class RoomChanged(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class RoomDeactivated(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class OpeningHoursChanged(DomainEvent):
    """A room's opening hours were replaced; the subject is the room."""


@dataclass(frozen=True, slots=True)
class ClosureCreated(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class ClosureRemoved(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingPolicyCreated(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingPolicyChanged(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class BookingPolicyDeleted(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class UserRegistered(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class UserRoleChanged(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class UserActivationChanged(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class UserSignedOutEverywhere(DomainEvent): ...


@dataclass(frozen=True, slots=True)
class UserPasswordChanged(DomainEvent): ...


def only_changed(before: Fields, after: Fields) -> tuple[Fields, Fields]:
    """The fields whose value differs, before and after; both empty when nothing changed."""
    changed = [name for name in after if after[name] != before.get(name)]
    return {name: before.get(name) for name in changed}, {name: after[name] for name in changed}


class RecordsEvents:
    """What the aggregates share: their events, and the fields the trail keeps of them.

    Each aggregate is a slotted dataclass with an `id` and an `events` list that is no part of
    its equality or its stored row.
    """

    __slots__ = ()
    id: UUID
    events: list[DomainEvent]

    def trail_fields(self) -> Fields:
        """The fields the trail keeps, as plain JSON values."""
        raise NotImplementedError

    def _record(
        self,
        kind: type[DomainEvent],
        *,
        by: UUID | None,
        at: datetime,
        before: Fields | None = None,
        after: Fields | None = None,
    ) -> None:
        self.events.append(kind(actor_id=by, at=at, subject_id=self.id, before=before, after=after))

    def _record_change(
        self, kind: type[DomainEvent], before: Fields, *, by: UUID | None, at: datetime
    ) -> None:
        """Records the fields changed since `before`; nothing when none did (a no-op edit)."""
        changed_before, changed_after = only_changed(before, self.trail_fields())
        if changed_after:
            self._record(kind, by=by, at=at, before=changed_before, after=changed_after)
