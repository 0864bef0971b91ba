"""What a booking request must satisfy, each broken rule a `Violation` with its reason code.

Two kinds of rules: those of the room itself (it is in use, it holds the attendees, the time
has not passed), which bind everyone, and the limits of the room's booking policy (or the
campus defaults, for a room without one), which staff may override. All are checked at once,
so a refusal lists every rule broken, not only the first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from campus_booking.domain.booking_policies import PolicyLimits
from campus_booking.domain.errors import Violation
from campus_booking.domain.local_time import (
    day_start,
    days_between,
    iso_week_name,
    last_local_date,
    local_date,
    week_monday,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot

IN_THE_PAST = "in_the_past"
ROOM_INACTIVE = "room_inactive"
OVER_CAPACITY = "over_capacity"
TOO_SHORT = "too_short"
TOO_LONG = "too_long"
OFF_GRID = "off_grid"
TOO_SOON = "too_soon"
TOO_FAR_AHEAD = "too_far_ahead"
DAILY_QUOTA = "daily_quota"
WEEKLY_QUOTA = "weekly_quota"
ACTIVE_BOOKINGS_LIMIT = "active_bookings_limit"

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Usage:
    """The requester's other active bookings under the same policy (the booking being changed
    left out): the slots of those that touch the quota window, and how many are upcoming."""

    slots: Sequence[TimeSlot] = ()
    upcoming: int = 0


# Where weeks and local days can still be reckoned: datetime ends at the years 1 and 9999, and
# a week's Monday or a zone's offset can reach a few days past an instant. A slot beyond them
# is refused anyway (in the past, too far ahead); its window is only clipped.
RECKONABLE = (datetime(1, 1, 15, tzinfo=UTC), datetime(9999, 12, 15, tzinfo=UTC))


def quota_window(slot: TimeSlot, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """From the start of the local ISO week in which `slot` starts to the end of the one in
    which it ends: every day and week whose quota the slot can touch."""
    low, high = RECKONABLE
    start, end = min(max(slot.start, low), high), min(max(slot.end, low), high)
    first = week_monday(local_date(start, zone))
    last = week_monday(last_local_date(end, zone)) + timedelta(days=7)
    return day_start(first, zone), day_start(last, zone)


def room_violations(room: Room, slot: TimeSlot, attendees: int, now: datetime) -> list[Violation]:
    """The room's own rules: no override skips them."""
    violations = []
    if not room.is_active:
        violations.append(
            Violation(
                ROOM_INACTIVE,
                "room_id",
                f"room {room.name!r} is no longer in use and cannot be booked",
            )
        )
    if slot.start < now:
        violations.append(Violation(IN_THE_PAST, "starts_at", "must not be in the past"))
    if attendees > room.capacity:
        violations.append(
            Violation(
                OVER_CAPACITY,
                "attendees",
                f"the room holds at most {room.capacity} people",
                {"limit": room.capacity, "actual": attendees},
            )
        )
    return violations


def policy_violations(
    limits: PolicyLimits,
    *,
    slot: TimeSlot,
    now: datetime,
    zone: ZoneInfo,
    usage: Usage | None = None,
) -> list[Violation]:
    """Every limit `slot` breaks; the quotas only when `usage` is given."""
    violations = [
        *_length(limits, slot),
        *_grid(limits, slot, zone),
        *_timing(limits, slot, now),
    ]
    if usage is not None:
        violations += _quotas(limits, slot, zone, usage)
    return violations


def _length(limits: PolicyLimits, slot: TimeSlot) -> list[Violation]:
    violations = []
    shortest, longest = limits.min_duration_minutes, limits.max_duration_minutes
    if shortest is not None and slot.duration < shortest * MINUTE:
        violations.append(
            Violation(
                TOO_SHORT,
                "ends_at",
                f"a booking must last at least {shortest} minutes",
                {"limit": shortest, "actual": _floor(slot.duration)},
            )
        )
    if longest is not None and slot.duration > longest * MINUTE:
        violations.append(
            Violation(
                TOO_LONG,
                "ends_at",
                f"a booking may last at most {_hours(longest)}",
                {"limit": longest, "actual": _ceil(slot.duration)},
            )
        )
    return violations


def _grid(limits: PolicyLimits, slot: TimeSlot, zone: ZoneInfo) -> list[Violation]:
    step = limits.slot_minutes
    if step is None:
        return []
    violations = []
    for field, instant in (("starts_at", slot.start), ("ends_at", slot.end)):
        local = instant.astimezone(zone)
        if local.minute % step or local.second or local.microsecond:
            violations.append(
                Violation(
                    OFF_GRID,
                    field,
                    f"must be on a multiple of {step} minutes of the local hour",
                    {"limit": step, "actual": local.strftime("%H:%M:%S")},
                )
            )
    return violations


def _timing(limits: PolicyLimits, slot: TimeSlot, now: datetime) -> list[Violation]:
    violations = []
    notice = limits.min_notice_minutes
    if notice is not None and now <= slot.start < now + notice * MINUTE:
        violations.append(
            Violation(
                TOO_SOON,
                "starts_at",
                f"a booking must start at least {notice} minutes from now",
                {"limit": notice, "actual": _floor(slot.start - now)},
            )
        )
    days = limits.max_advance_days
    if days is not None and slot.end > now + days * DAY:
        violations.append(
            Violation(
                TOO_FAR_AHEAD,
                "ends_at",
                f"a booking must end within {days} days from now",
                {"limit": days, "actual": math.ceil((slot.end - now) / DAY)},
            )
        )
    return violations


def _quotas(limits: PolicyLimits, slot: TimeSlot, zone: ZoneInfo, usage: Usage) -> list[Violation]:
    violations = []
    days = days_between(local_date(slot.start, zone), last_local_date(slot.end, zone))
    if limits.max_minutes_per_day is not None:
        for day in days:
            used = _minutes_within(slot, usage, day, day + timedelta(days=1), zone)
            if used is not None and used > limits.max_minutes_per_day * MINUTE:
                violations.append(
                    Violation(
                        DAILY_QUOTA,
                        "starts_at",
                        f"at most {limits.max_minutes_per_day} minutes a day under this "
                        f"policy; {day.isoformat()} would have {_ceil(used)}",
                        {
                            "limit": limits.max_minutes_per_day,
                            "actual": _ceil(used),
                            "date": day.isoformat(),
                        },
                    )
                )
    if limits.max_minutes_per_week is not None:
        for monday in sorted({week_monday(day) for day in days}):
            used = _minutes_within(slot, usage, monday, monday + timedelta(days=7), zone)
            if used is not None and used > limits.max_minutes_per_week * MINUTE:
                violations.append(
                    Violation(
                        WEEKLY_QUOTA,
                        "starts_at",
                        f"at most {limits.max_minutes_per_week} minutes a week under this "
                        f"policy; week {iso_week_name(monday)} would have {_ceil(used)}",
                        {
                            "limit": limits.max_minutes_per_week,
                            "actual": _ceil(used),
                            "week": iso_week_name(monday),
                        },
                    )
                )
    most = limits.max_active_bookings
    if most is not None and usage.upcoming >= most:
        violations.append(
            Violation(
                ACTIVE_BOOKINGS_LIMIT,
                "body",  # the request as a whole, as for any error that names no field
                f"at most {most} upcoming active bookings under this policy; cancel one first",
                {"limit": most, "actual": usage.upcoming + 1},
            )
        )
    return violations


def _minutes_within(
    slot: TimeSlot, usage: Usage, first: date, after: date, zone: ZoneInfo
) -> timedelta | None:
    """Time booked in the local days `[first, after)` with `slot`; None if `slot` is not in them."""
    start, end = day_start(first, zone), day_start(after, zone)
    own = _clipped(slot, start, end)
    if own <= timedelta(0):
        return None
    return own + sum((_clipped(other, start, end) for other in usage.slots), timedelta(0))


def _clipped(slot: TimeSlot, start: datetime, end: datetime) -> timedelta:
    return max(timedelta(0), min(slot.end, end) - max(slot.start, start))


def _floor(length: timedelta) -> int:
    return int(length // MINUTE)


def _ceil(length: timedelta) -> int:
    return math.ceil(length / MINUTE)


def _hours(minutes: int) -> str:
    """90 minutes read as 1.5 hours; 100 stay minutes."""
    return f"{minutes / 60:g} hours" if minutes % 6 == 0 else f"{minutes} minutes"
