"""The time slot: a half-open interval of aware instants, the unit every booking holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from campus_booking.domain.errors import InvalidValue

# No slot is longer, whatever the settings. Knowing it, the schema and every overlap search can
# bound how far back an overlapping booking may start, so their cost does not grow with history.
LONGEST_SLOT = timedelta(hours=24)


def ensure_aware_utc(value: datetime, field: str) -> datetime:
    """Refuse a naive datetime and bring an aware one to UTC.

    A naive time could mean any zone; guessing would silently move bookings by hours.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidValue(field, "must include a time zone offset")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is before the calendar starts in UTC
        raise InvalidValue(field, "is outside the supported range of dates") from None


def lookback_start(instant: datetime) -> datetime:
    """The earliest start of a booking that can still be running at `instant`: no booking lasts
    longer than `LONGEST_SLOT`. Bounded by the first day of the calendar."""
    earliest = datetime.min.replace(tzinfo=UTC)
    return earliest if instant - earliest < LONGEST_SLOT else instant - LONGEST_SLOT


@dataclass(frozen=True, slots=True)
class TimeSlot:
    """`[start, end)`: a slot that ends when the next starts does not overlap it."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start = ensure_aware_utc(self.start, "starts_at")
        end = ensure_aware_utc(self.end, "ends_at")
        if end <= start:
            raise InvalidValue("ends_at", "must be after starts_at")
        if end - start > LONGEST_SLOT:
            raise InvalidValue("ends_at", "must be at most 24 hours after starts_at")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: TimeSlot) -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, other: TimeSlot) -> bool:
        return self.start <= other.start and other.end <= self.end

    def contains_instant(self, instant: datetime) -> bool:
        return self.start <= instant < self.end
