"""Alternatives to a slot that no matching room has free: the same length at another time of
the same local day, or a shorter stay from the asked start.

These only propose candidates, nearest first; whoever offers one checks it against every rule
first, so that an alternative is always bookable as offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from campus_booking.domain.availability import Interval, clipped
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot


class AlternativeKind(StrEnum):
    OTHER_TIME = "other_time"
    SHORTER = "shorter"


@dataclass(frozen=True, slots=True)
class Alternative:
    kind: AlternativeKind
    room: Room
    slot: TimeSlot
    deviation: timedelta  # from the asked slot: the shift of its start, or the time it loses

    def rank(self) -> tuple[timedelta, int, int, str]:
        """Least changed first; then a shift before a shortening, and best fit."""
        kind = 0 if self.kind is AlternativeKind.OTHER_TIME else 1
        return self.deviation, kind, self.room.capacity, self.room.name


def grid_floor(instant: datetime, step_minutes: int, zone: ZoneInfo) -> datetime:
    """The last instant at or before `instant` on a multiple of `step_minutes` of the local
    hour (a step divides an hour, so every local hour has the same grid)."""
    local = instant.astimezone(zone)
    return instant - timedelta(
        minutes=local.minute % step_minutes, seconds=local.second, microseconds=local.microsecond
    )


def grid_ceil(instant: datetime, step_minutes: int, zone: ZoneInfo) -> datetime:
    floor = grid_floor(instant, step_minutes, zone)
    return floor if floor == instant else floor + timedelta(minutes=step_minutes)


def other_times(
    free: Sequence[Interval],
    asked: TimeSlot,
    *,
    day: Interval,
    earliest: datetime,
    step_minutes: int | None,
    zone: ZoneInfo,
) -> list[TimeSlot]:
    """Slots as long as `asked` in the free time of `day`, other than `asked`, nearest to its
    start first. In each free stretch: the start nearest the asked one, and the first one
    from `earliest` (when a booking may start at the soonest), on the policy's grid."""
    length = asked.duration
    starts: set[datetime] = set()
    for low, high in clipped(free, *day):
        latest = high - length
        if latest < low:
            continue
        for wish in (asked.start, earliest, low):
            start = min(max(wish, low), latest)
            if step_minutes is None:
                starts.add(start)
                continue
            for snapped in (
                grid_floor(start, step_minutes, zone),
                grid_ceil(start, step_minutes, zone),
            ):
                if low <= snapped <= latest:
                    starts.add(snapped)
    starts.discard(asked.start)
    ordered = sorted(starts, key=lambda start: (abs(start - asked.start), start))
    return [TimeSlot(start, start + length) for start in ordered]


def shorter(
    free: Sequence[Interval],
    asked: TimeSlot,
    *,
    shortest: timedelta,
    longest: timedelta | None,
    step_minutes: int | None,
    zone: ZoneInfo,
) -> TimeSlot | None:
    """The longest slot from the asked start that is free, shorter than `asked` but at least
    `shortest`, at most `longest` (the policy's), ending on the grid."""
    for low, high in free:
        if low <= asked.start < high:
            end = min(high, asked.end)
            if longest is not None:
                end = min(end, asked.start + longest)
            if step_minutes is not None:
                end = grid_floor(end, step_minutes, zone)
            if shortest <= end - asked.start and end < asked.end:
                return TimeSlot(asked.start, end)
    return None
