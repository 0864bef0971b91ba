"""Booking policies: named sets of limits that rooms of a kind share, so quotas count across them.

Every limit is optional (None: no limit). Durations, notice and quotas are in minutes, the
horizon in days; `slot_minutes` must divide an hour, so the grid is the same in every hour of
the local day.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from uuid import UUID, uuid4

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.events import (
    BookingPolicyChanged,
    BookingPolicyCreated,
    BookingPolicyDeleted,
    DomainEvent,
    Fields,
    RecordsEvents,
)
from campus_booking.domain.text import clean_text

MAX_POLICY_NAME_LENGTH = 100
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_ADVANCE_DAYS = 36_500  # datetime's range ends at the year 9999
MAX_ACTIVE_BOOKINGS = 100_000
SLOT_MINUTES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)  # the divisors of an hour


@dataclass(frozen=True, slots=True)
class PolicyLimits:
    min_duration_minutes: int | None = None
    max_duration_minutes: int | None = None
    slot_minutes: int | None = None
    min_notice_minutes: int | None = None
    max_advance_days: int | None = None
    max_minutes_per_day: int | None = None
    max_minutes_per_week: int | None = None
    max_active_bookings: int | None = None

    def __post_init__(self) -> None:
        _bounded("min_duration_minutes", self.min_duration_minutes, MINUTES_PER_DAY)
        _bounded("max_duration_minutes", self.max_duration_minutes, MINUTES_PER_DAY)
        _bounded("min_notice_minutes", self.min_notice_minutes, MAX_ADVANCE_DAYS * MINUTES_PER_DAY)
        _bounded("max_advance_days", self.max_advance_days, MAX_ADVANCE_DAYS)
        _bounded("max_minutes_per_day", self.max_minutes_per_day, MINUTES_PER_DAY)
        _bounded("max_minutes_per_week", self.max_minutes_per_week, MINUTES_PER_WEEK)
        _bounded("max_active_bookings", self.max_active_bookings, MAX_ACTIVE_BOOKINGS)
        if self.slot_minutes is not None and self.slot_minutes not in SLOT_MINUTES:
            raise InvalidValue("slot_minutes", f"must divide an hour: one of {SLOT_MINUTES}")
        low, high = self.min_duration_minutes, self.max_duration_minutes
        if low is not None and high is not None and low > high:
            raise InvalidValue("min_duration_minutes", "must not exceed max_duration_minutes")

    @property
    def has_quotas(self) -> bool:
        """Whether checking a request needs the requester's other bookings."""
        return (
            self.max_minutes_per_day is not None
            or self.max_minutes_per_week is not None
            or self.max_active_bookings is not None
        )

    @property
    def counts_minutes(self) -> bool:
        """Whether checking a request needs the times of the requester's other bookings, not
        only their number."""
        return self.max_minutes_per_day is not None or self.max_minutes_per_week is not None

    def as_fields(self) -> Fields:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _bounded(name: str, value: int | None, most: int) -> None:
    if value is not None and not 1 <= value <= most:
        raise InvalidValue(name, f"must be between 1 and {most}, or null for no limit")


def clean_policy_name(raw: str) -> str:
    return clean_text(raw, "name", MAX_POLICY_NAME_LENGTH, fold_compatible=True)


@dataclass(eq=False, slots=True)
class BookingPolicy(RecordsEvents):
    name: str
    limits: PolicyLimits
    created_at: datetime
    id: UUID = field(default_factory=uuid4)
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)

    @classmethod
    def create(
        cls, *, name: str, limits: PolicyLimits, now: datetime, by: UUID | None
    ) -> BookingPolicy:
        policy = cls(name=clean_policy_name(name), limits=limits, created_at=now)
        policy._record(BookingPolicyCreated, by=by, at=now, after=policy.trail_fields())
        return policy

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BookingPolicy) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def trail_fields(self) -> Fields:
        return {"name": self.name, **self.limits.as_fields()}

    def replace(self, *, name: str, limits: PolicyLimits, by: UUID, at: datetime) -> None:
        """Every value at once (PUT): a limit left out becomes no limit."""
        before = self.trail_fields()
        self.name = clean_policy_name(name)
        self.limits = limits
        self._record_change(BookingPolicyChanged, before, by=by, at=at)

    def delete(self, *, by: UUID, at: datetime) -> None:
        self._record(BookingPolicyDeleted, by=by, at=at, before=self.trail_fields())
