"""Closures: times a room cannot be booked at all (a renovation, an exam week, a holiday).

A closure lasts as long as it needs to, a minute or a term; it is one room's, so that closing a
building is one closure per room. While it stands, no active booking of its room may overlap
it: creating one cancels what is in the way or is refused, and the database holds to it too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID, uuid4

from campus_booking.domain.bookings import clean_reason
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.events import (
    ClosureCreated,
    ClosureRemoved,
    DomainEvent,
    Fields,
    RecordsEvents,
)
from campus_booking.domain.time_slots import TimeSlot, ensure_aware_utc


@dataclass(frozen=True, slots=True)
class Period:
    """`[start, end)` of any length: unlike a `TimeSlot`, no 24-hour bound."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = ensure_aware_utc(self.start, "starts_at")
        end = ensure_aware_utc(self.end, "ends_at")
        if end <= start:
            raise InvalidValue("ends_at", "must be after starts_at")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def overlaps(self, slot: TimeSlot | Period) -> bool:
        return self.start < slot.end and slot.start < self.end


def clean_closure_reason(raw: str) -> str:
    """A closure says why: the reason is shown to whoever it turns away, and becomes the
    decision reason of the bookings it cancels."""
    reason = clean_reason(raw)
    if reason is None:
        raise InvalidValue("reason", "must say why the room is closed")
    return reason


@dataclass(eq=False, slots=True)
class Closure(RecordsEvents):
    room_id: UUID
    period: Period
    reason: str
    created_by: UUID | None
    created_at: datetime
    id: UUID = field(default_factory=uuid4)
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)

    @classmethod
    def create(
        cls, *, room_id: UUID, period: Period, reason: str, by: UUID | None, now: datetime
    ) -> Closure:
        closure = cls(
            room_id=room_id,
            period=period,
            reason=clean_closure_reason(reason),
            created_by=by,
            created_at=now,
        )
        closure._record(ClosureCreated, by=by, at=now, after=closure.trail_fields())
        return closure

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Closure) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def trail_fields(self) -> Fields:
        return {
            "room_id": str(self.room_id),
            "starts_at": self.period.start.isoformat(),
            "ends_at": self.period.end.isoformat(),
            "reason": self.reason,
        }

    def remove(self, *, by: UUID, at: datetime) -> None:
        """Recorded with what the closure was; the repository then deletes it."""
        self._record(ClosureRemoved, by=by, at=at, before=self.trail_fields())
