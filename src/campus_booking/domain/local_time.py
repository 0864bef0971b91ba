"""Local calendar days and ISO weeks of a time zone, as UTC instants.

Stored times are UTC; days and weeks are the room's. A local midnight that falls into a DST
gap is the first instant after the gap; a repeated hour belongs to its day once, since every
length here is measured between UTC instants.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which the clocks of `zone` show `wall` on `day`; inside a DST gap,
    the first instant after it."""
    naive = datetime.combine(day, wall)
    early = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if early.astimezone(zone).replace(tzinfo=None) == naive:
        return early  # the wall time exists (its first occurrence, if repeated)
    # In a gap: fold=1 lands before the jump, fold=0 after it; find the jump to the second.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = early
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0) if high.microsecond == 0 else high


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return local_instant(day, time(0), zone)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def last_local_date(end: datetime, zone: ZoneInfo) -> date:
    """The local date of the last instant before `end` (an interval is half-open)."""
    return local_date(end - timedelta(microseconds=1), zone)


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def week_monday(day: date) -> date:
    return day - timedelta(days=day.isoweekday() - 1)


def iso_week_name(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02}"
