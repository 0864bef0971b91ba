"""Free and busy time of a room, and the grid of many rooms: arithmetic on UTC intervals.

An interval is a half-open `(start, end)` pair of aware UTC instants. Open time comes from the
room's opening hours (an inactive room has none), busy time from its active bookings and its
closures; free time is open time minus busy time. Every list is sorted, and open and free time
are merged where they touch, so a client can draw them as they come.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from uuid import UUID

from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.closures import Closure
from campus_booking.domain.opening_hours import OpeningHours
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot

Interval = tuple[datetime, datetime]
Booked = tuple[TimeSlot, BookingStatus]  # a booking's time and status, all a grid needs of it


def merged(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, with intervals that overlap or touch joined into one; empty ones dropped."""
    joined: list[Interval] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if joined and start <= joined[-1][1]:
            if end > joined[-1][1]:
                joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def clipped(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of `intervals` within `[start, end)`, in their order; empty ones dropped."""
    parts = ((max(lo, start), min(hi, end)) for lo, hi in intervals)
    return [(lo, hi) for lo, hi in parts if lo < hi]


def subtracted(base: Iterable[Interval], holes: Iterable[Interval]) -> list[Interval]:
    """`base` minus `holes`: the time in some interval of `base` and in none of `holes`."""
    holes = merged(holes)
    rest: list[Interval] = []
    i = 0
    for start, end in merged(base):
        while i < len(holes) and holes[i][1] <= start:
            i += 1  # holes are sorted and apart: those before this interval are done
        cursor, j = start, i
        while j < len(holes) and holes[j][0] < end:
            if holes[j][0] > cursor:
                rest.append((cursor, holes[j][0]))
            cursor = max(cursor, holes[j][1])
            j += 1
        if cursor < end:
            rest.append((cursor, end))
    return rest


class BusyKind(StrEnum):
    BOOKING = "booking"
    CLOSURE = "closure"


@dataclass(frozen=True, slots=True)
class Busy:
    """Time the room is taken. `status` is a booking's, and its `booking_id` only where the
    caller may see the booking (their own, or anyone's for staff and admins); `reason` is a
    closure's, which everyone may read."""

    start: datetime
    end: datetime
    kind: BusyKind
    status: BookingStatus | None = None
    booking_id: UUID | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class RoomAvailability:
    room: Room
    start: datetime
    end: datetime
    open: list[Interval]
    busy: list[Busy]
    free: list[Interval]


def room_availability(
    room: Room,
    hours: OpeningHours,
    bookings: Iterable[Booking],
    closures: Iterable[Closure],
    start: datetime,
    end: datetime,
    *,
    may_see: Callable[[Booking], bool],
) -> RoomAvailability:
    """The room's time within `[start, end)`, every interval clipped to it."""
    open_time = hours.open_intervals(start, end, room.zone) if room.is_active else []
    taken = [
        Busy(
            lo,
            hi,
            BusyKind.BOOKING,
            booking.status,
            booking.id if may_see(booking) else None,
        )
        for booking in bookings
        if booking.is_active
        for lo, hi in clipped([(booking.slot.start, booking.slot.end)], start, end)
    ] + [
        Busy(lo, hi, BusyKind.CLOSURE, reason=closure.reason)
        for closure in closures
        for lo, hi in clipped([(closure.period.start, closure.period.end)], start, end)
    ]
    taken.sort(key=lambda busy: (busy.start, busy.end))
    free = subtracted(open_time, ((busy.start, busy.end) for busy in taken))
    return RoomAvailability(room, start, end, open_time, taken, free)


class Level(IntEnum):
    """One digit of a grid view; where an interval holds several, the highest wins."""

    FREE = 0
    PENDING = 1
    APPROVED = 2
    CLOSED = 3  # a closure, or outside opening hours (an inactive room is closed throughout)


def interval_count(start: datetime, end: datetime, step: timedelta) -> int:
    """How many intervals of `step` cover `[start, end)`; the last may be cut short at `end`."""
    return -((start - end) // step)


def availability_view(
    start: datetime,
    end: datetime,
    step: timedelta,
    *,
    open_time: Sequence[Interval],
    pending: Iterable[Interval],
    approved: Iterable[Interval],
    closed: Iterable[Interval],
) -> str:
    """One digit per interval of `step` from `start`, as Microsoft Graph's `availabilityView`:
    the interval `k` is `[start + k·step, start + (k+1)·step)`, cut at `end`."""
    levels = bytearray(b"0" * interval_count(start, end, step))
    outside = subtracted([(start, end)], open_time)
    # Lowest first: each level overwrites the ones below it, so the highest wins.
    for level, intervals in (
        (Level.PENDING, pending),
        (Level.APPROVED, approved),
        (Level.CLOSED, [*outside, *closed]),
    ):
        digit = str(int(level)).encode()
        for lo, hi in merged(clipped(intervals, start, end)):
            first, after = (lo - start) // step, -((start - hi) // step)
            levels[first:after] = digit * (after - first)
    return levels.decode()


def room_view(
    room: Room,
    hours: OpeningHours,
    booked: Iterable[Booked],
    closures: Iterable[Closure],
    start: datetime,
    end: datetime,
    step: timedelta,
) -> str:
    """The view of one room; only PENDING and APPROVED bookings take time."""
    booked = list(booked)
    return availability_view(
        start,
        end,
        step,
        open_time=hours.open_intervals(start, end, room.zone) if room.is_active else [],
        pending=[(s.start, s.end) for s, status in booked if status is BookingStatus.PENDING],
        approved=[(s.start, s.end) for s, status in booked if status is BookingStatus.APPROVED],
        closed=[(c.period.start, c.period.end) for c in closures],
    )


def covers(intervals: Iterable[Interval], slot: TimeSlot) -> bool:
    """Whether one of the (merged) `intervals` holds all of `slot`."""
    return any(lo <= slot.start and slot.end <= hi for lo, hi in intervals)


def overlaps_any(intervals: Iterable[Interval], slot: TimeSlot) -> bool:
    return any(lo < slot.end and slot.start < hi for lo, hi in intervals)
