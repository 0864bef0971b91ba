"""Bookings and their life cycle.

    PENDING --approve--> APPROVED
    PENDING --reject---> REJECTED
    PENDING | APPROVED --cancel--> CANCELLED

A booking is active, and holds its slot, while PENDING or APPROVED.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from campus_booking.domain.errors import InvalidTransition, InvalidValue
from campus_booking.domain.events import (
    BookingApproved,
    BookingCancelled,
    BookingChanged,
    BookingRejected,
    BookingRequested,
    DomainEvent,
    Fields,
    RecordsEvents,
)
from campus_booking.domain.text import clean_text, has_control_characters, has_format_characters
from campus_booking.domain.time_slots import TimeSlot

MAX_TITLE_LENGTH = 200
MAX_REASON_LENGTH = 500


class BookingStatus(StrEnum):
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"


ACTIVE_STATUSES = frozenset({BookingStatus.PENDING, BookingStatus.APPROVED})


def clean_title(raw: str) -> str:
    return clean_text(raw, "title", MAX_TITLE_LENGTH)


def clean_reason(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    reason = unicodedata.normalize("NFC", raw).strip()
    if has_control_characters(reason.replace("\n", "")):
        raise InvalidValue("reason", "must not contain control characters")
    if has_format_characters(reason):
        raise InvalidValue("reason", "must not contain invisible formatting characters")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidValue("reason", f"must be at most {MAX_REASON_LENGTH} characters long")
    return reason


def check_attendees(attendees: int) -> int:
    if attendees < 1:
        raise InvalidValue("attendees", "must be at least 1")
    return attendees


@dataclass(eq=False, slots=True)
class Booking(RecordsEvents):
    room_id: UUID
    requester_id: UUID
    slot: TimeSlot
    title: str
    attendees: int
    status: BookingStatus
    created_at: datetime
    decided_by: UUID | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    # An occurrence of a series: the series, the start the series gave it (its RECURRENCE-ID in
    # a calendar), and whether it was changed on its own since.
    series_id: UUID | None = None
    occurrence_start: datetime | None = None
    series_changed: bool = False
    # What a calendar app reads: how many times it changed (SEQUENCE), and when last.
    sequence: int = 0
    updated_at: datetime | None = None  # None: never changed since it was made
    id: UUID = field(default_factory=uuid4)
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)

    @classmethod
    def request(
        cls,
        *,
        room_id: UUID,
        requester_id: UUID,
        slot: TimeSlot,
        title: str,
        attendees: int,
        needs_approval: bool,
        now: datetime,
        override_policy: bool = False,
        series_id: UUID | None = None,
    ) -> Booking:
        """A new booking, requested by `requester_id` itself, or an occurrence of series
        `series_id` at the slot the series gives it. `override_policy` (the requester skipped
        the room's policy) is kept on the trail's event, not on the booking."""
        booking = cls(
            room_id=room_id,
            requester_id=requester_id,
            slot=slot,
            title=clean_title(title),
            attendees=check_attendees(attendees),
            status=BookingStatus.PENDING if needs_approval else BookingStatus.APPROVED,
            created_at=now,
            series_id=series_id,
            occurrence_start=slot.start if series_id else None,
        )
        after = booking.trail_fields()
        if override_policy:
            after["override_policy"] = True
        booking._record(BookingRequested, by=requester_id, at=now, after=after)
        return booking

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Booking) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def trail_fields(self) -> Fields:
        return {
            "room_id": str(self.room_id),
            "requester_id": str(self.requester_id),
            "starts_at": self.slot.start.isoformat(),
            "ends_at": self.slot.end.isoformat(),
            "title": self.title,
            "attendees": self.attendees,
            "status": self.status.value,
            "decided_by": str(self.decided_by) if self.decided_by else None,
            "decision_reason": self.decision_reason,
            **({"series_id": str(self.series_id)} if self.series_id else {}),
        }

    def change(
        self,
        *,
        slot: TimeSlot | None = None,
        title: str | None = None,
        attendees: int | None = None,
        needs_approval: bool = False,
        override_policy: bool = False,
        in_series: bool = False,
        by: UUID,
        at: datetime,
    ) -> None:
        """Edit an active booking. Moving it where approval is needed asks for approval again.
        `override_policy` is kept on the change's event, when something changed. An occurrence
        changed on its own (not `in_series`) is marked as changed in its series."""
        if not self.is_active:
            raise InvalidTransition(f"A {self.status.value} booking cannot be changed.")
        before = self.trail_fields()
        recorded = len(self.events)
        if title is not None:
            self.title = clean_title(title)
        if attendees is not None:
            self.attendees = check_attendees(attendees)
        if slot is not None and slot != self.slot:
            self.slot = slot
            if in_series:  # the series moved it: that is its time in the series now
                self.occurrence_start = slot.start
            if needs_approval and self.status is BookingStatus.APPROVED:
                self.status = BookingStatus.PENDING
                self.decided_by = self.decided_at = self.decision_reason = None
        self._record_change(BookingChanged, before, by=by, at=at)
        if self.series_id and not in_series and len(self.events) > recorded:
            self.series_changed = True
        if override_policy and len(self.events) > recorded:
            last = self.events[-1]
            self.events[-1] = BookingChanged(
                actor_id=last.actor_id,
                at=last.at,
                subject_id=last.subject_id,
                before=last.before,
                after={**(last.after or {}), "override_policy": True},
            )

    @property
    def last_modified(self) -> datetime:
        return self.updated_at or self.created_at

    def _record_change(
        self, kind: type[DomainEvent], before: Fields, *, by: UUID | None, at: datetime
    ) -> None:
        """A change recorded also counts in the booking's sequence and last modification."""
        recorded = len(self.events)
        RecordsEvents._record_change(self, kind, before, by=by, at=at)
        if len(self.events) > recorded:
            self.sequence += 1
            self.updated_at = at

    def approve(self, *, by: UUID, at: datetime, reason: str | None = None) -> None:
        self._decide(BookingStatus.APPROVED, BookingApproved, by=by, at=at, reason=reason)

    def reject(self, *, by: UUID, at: datetime, reason: str | None) -> None:
        self._decide(BookingStatus.REJECTED, BookingRejected, by=by, at=at, reason=reason)

    def cancel(self, *, by: UUID, at: datetime, reason: str | None = None) -> None:
        """With a `reason` (a closure's), the cancellation is a decision: who, when and why
        are kept as the booking's decision."""
        if not self.is_active:
            raise InvalidTransition(f"A {self.status.value} booking cannot be cancelled.")
        before = self.trail_fields()
        self.status = BookingStatus.CANCELLED
        if reason is not None:
            self.decided_by = by
            self.decided_at = at
            self.decision_reason = clean_reason(reason)
        self._record_change(BookingCancelled, before, by=by, at=at)

    def _decide(
        self,
        outcome: BookingStatus,
        event: type[DomainEvent],
        *,
        by: UUID,
        at: datetime,
        reason: str | None,
    ) -> None:
        if self.status is not BookingStatus.PENDING:
            raise InvalidTransition(
                f"Only a PENDING booking can be decided; this one is {self.status.value}."
            )
        if self.slot.end <= at:
            raise InvalidTransition("A booking that has ended can no longer be decided.")
        cleaned_reason = clean_reason(reason)
        before = self.trail_fields()
        self.status = outcome
        self.decided_by = by
        self.decided_at = at
        self.decision_reason = cleaned_reason
        self._record_change(event, before, by=by, at=at)
