"""Opening hours: when a room may be booked, in the wall-clock time of the room's zone.

Hours are weekly windows (ISO weekday, `opens`, `closes` as minutes of the local day, `closes`
up to 24:00) and date exceptions that replace the weekly hours of their date (no windows:
closed all day). A room without weekly windows is open all day every day, so rooms made before
hours existed keep taking bookings; its exceptions still apply.

Wall-clock times become instants as the room's zone says, across DST changes:
- a wall time the clock skips (spring forward) is the first instant after the gap, so a
  window opening at 02:30 on that day opens when the clock jumps to 03:00;
- a wall time the clock shows twice (fall back) is its first occurrence, so the repeated hour
  is open once, never twice, and windows that touch on the wall clock touch in time too.
Windows that touch (20:00-24:00 and the next day's 00:00-02:00) are one stretch of open time.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from uuid import UUID
from zoneinfo import ZoneInfo

from campus_booking.domain.errors import InvalidValue, Violation
from campus_booking.domain.events import DomainEvent, Fields, OpeningHoursChanged, RecordsEvents
from campus_booking.domain.time_slots import TimeSlot

OUTSIDE_OPENING_HOURS = "outside_opening_hours"
MINUTES_A_DAY = 24 * 60
# Bounds that keep the largest valid PUT well within the 64 KiB body limit, so that one item
# too many is a 400 naming the field, not a 413.
MAX_WINDOWS_A_DAY = 8
MAX_WEEKLY_WINDOWS = 7 * MAX_WINDOWS_A_DAY
MAX_EXCEPTIONS = 150
_WALL_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")

Interval = tuple[datetime, datetime]
# Open time is looked for within these instants only: local dates a day beyond them could fall
# off the calendar (year 1, year 9999). Outside them a room with hours is closed.
EARLIEST = datetime(1, 1, 3, tzinfo=UTC)
LATEST = datetime(9999, 12, 29, tzinfo=UTC)


def parse_wall_time(text: str, field: str, *, closing: bool = False) -> int:
    """`HH:MM` as minutes of the day; `24:00` (the end of the day) only where it `closing`."""
    if closing and text == "24:00":
        return MINUTES_A_DAY
    matched = _WALL_TIME.match(text)
    if not matched:
        latest = "24:00" if closing else "23:59"
        raise InvalidValue(field, f"must be a time of day from 00:00 to {latest} (HH:MM)")
    return int(matched.group(1)) * 60 + int(matched.group(2))


def wall_time_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, slots=True, order=True)
class Window:
    """`[opens, closes)` in minutes of a local day; `closes` may be 1440 (24:00)."""

    opens: int
    closes: int

    def __str__(self) -> str:
        return f"{wall_time_text(self.opens)}-{wall_time_text(self.closes)}"


ALL_DAY = Window(0, MINUTES_A_DAY)


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    weekday: int  # ISO: 1 = Monday ... 7 = Sunday
    window: Window


@dataclass(frozen=True, slots=True)
class DateException:
    """The hours of one date, instead of its weekday's; no windows: closed all day."""

    on: date
    windows: tuple[Window, ...]


def window(opens: str, closes: str, field: str) -> Window:
    """A window from wall-clock text; `field` prefixes the names of the fields refused."""
    start = parse_wall_time(opens, f"{field}.opens")
    end = parse_wall_time(closes, f"{field}.closes", closing=True)
    if end <= start:
        raise InvalidValue(f"{field}.closes", "must be after opens")
    return Window(start, end)


def weekly_window(weekday: int, opens: str, closes: str, field: str) -> WeeklyWindow:
    if not 1 <= weekday <= 7:
        raise InvalidValue(f"{field}.weekday", "must be an ISO weekday, 1 (Monday) to 7 (Sunday)")
    return WeeklyWindow(weekday, window(opens, closes, field))


def _check_apart(windows: Sequence[tuple[Window, str]]) -> None:
    """Windows of one day must not overlap; touching is fine (and means one stretch)."""
    ordered = sorted(windows)
    for (before, _), (after, name) in pairwise(ordered):
        if after.opens < before.closes:
            raise InvalidValue(f"{name}.opens", f"overlaps the window {before} of the same day")


@dataclass(eq=False, slots=True)
class OpeningHours(RecordsEvents):
    """A room's hours as a whole: a change replaces them all (PUT)."""

    room_id: UUID
    weekly: tuple[WeeklyWindow, ...] = ()
    exceptions: tuple[DateException, ...] = ()
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)
    _by_weekday: dict[int, tuple[Window, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _by_date: dict[date, tuple[Window, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._index()

    @property
    def id(self) -> UUID:  # type: ignore[override]  # the room's: hours are part of the room
        return self.room_id

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, OpeningHours)
            and other.room_id == self.room_id
            and other.trail_fields() == self.trail_fields()
        )

    __hash__ = None  # type: ignore[assignment]

    @classmethod
    def validated(
        cls,
        room_id: UUID,
        weekly: Sequence[WeeklyWindow],
        exceptions: Sequence[DateException],
    ) -> OpeningHours:
        """Refuses overlapping windows of a day and a date given twice, naming the field as
        the request does (`weekly[2].opens`, `exceptions[0].date`)."""
        if len(weekly) > MAX_WEEKLY_WINDOWS:
            raise InvalidValue("weekly", f"must hold at most {MAX_WEEKLY_WINDOWS} windows")
        if len(exceptions) > MAX_EXCEPTIONS:
            raise InvalidValue("exceptions", f"must hold at most {MAX_EXCEPTIONS} dates")
        for day in range(1, 8):
            of_day = [(w.window, f"weekly[{i}]") for i, w in enumerate(weekly) if w.weekday == day]
            if len(of_day) > MAX_WINDOWS_A_DAY:
                raise InvalidValue("weekly", f"must hold at most {MAX_WINDOWS_A_DAY} windows a day")
            _check_apart(of_day)
        seen: set[date] = set()
        for i, exception in enumerate(exceptions):
            if exception.on in seen:
                raise InvalidValue(f"exceptions[{i}].date", "is given twice")
            seen.add(exception.on)
            if len(exception.windows) > MAX_WINDOWS_A_DAY:
                raise InvalidValue(
                    f"exceptions[{i}].windows", f"must hold at most {MAX_WINDOWS_A_DAY} windows"
                )
            _check_apart(
                [(w, f"exceptions[{i}].windows[{j}]") for j, w in enumerate(exception.windows)]
            )
        return cls(
            room_id,
            tuple(sorted(weekly, key=lambda w: (w.weekday, w.window))),
            tuple(
                DateException(e.on, tuple(sorted(e.windows)))
                for e in sorted(exceptions, key=lambda e: e.on)
            ),
        )

    def _index(self) -> None:
        by_weekday: dict[int, list[Window]] = {}
        for weekly in self.weekly:
            by_weekday.setdefault(weekly.weekday, []).append(weekly.window)
        self._by_weekday = {day: tuple(sorted(ws)) for day, ws in by_weekday.items()}
        self._by_date = {e.on: e.windows for e in self.exceptions}

    @property
    def always_open(self) -> bool:
        return not self.weekly and not self.exceptions

    def trail_fields(self) -> Fields:
        return {
            "opening_hours": [f"{w.weekday} {w.window}" for w in self.weekly],
            "opening_exceptions": [
                f"{e.on.isoformat()} {' '.join(map(str, e.windows)) or 'closed'}"
                for e in self.exceptions
            ],
        }

    def replace(self, new: OpeningHours, *, by: UUID, at: datetime) -> None:
        """Takes `new`'s windows and exceptions, recording what changed (nothing: no event)."""
        before = self.trail_fields()
        self.weekly, self.exceptions = new.weekly, new.exceptions
        self._index()
        self._record_change(OpeningHoursChanged, before, by=by, at=at)

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self._by_date:
            return self._by_date[day]
        if not self.weekly:
            return (ALL_DAY,)
        return self._by_weekday.get(day.isoweekday(), ())

    def open_intervals(self, start: datetime, end: datetime, zone: ZoneInfo) -> list[Interval]:
        """The open time within `[start, end)`, as UTC intervals, earliest first, merged where
        they touch or overlap (so across midnight, and across DST changes)."""
        start = max(start.astimezone(UTC), EARLIEST)
        end = min(end.astimezone(UTC), LATEST)
        if end <= start:
            return []
        first, last = dates_touching(start, end, zone)
        merged: list[list[datetime]] = []
        day = first
        while day <= last:
            for w in self.windows_on(day):
                opens = local_instant(day, w.opens, zone)
                closes = local_instant(day, w.closes, zone)
                lo, hi = max(opens, start), min(closes, end)
                if lo >= hi:
                    continue
                if merged and lo <= merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], hi)
                else:
                    merged.append([lo, hi])
            day += timedelta(days=1)
        return [(lo, hi) for lo, hi in merged]

    def covers(self, slot: TimeSlot, zone: ZoneInfo) -> bool:
        """True when the whole slot is open time."""
        if not self.weekly and not self.exceptions:
            return True
        return self.open_intervals(slot.start, slot.end, zone) == [(slot.start, slot.end)]

    def violations(self, slot: TimeSlot, zone: ZoneInfo) -> list[Violation]:
        """`outside_opening_hours` on the end of the slot that lies in closed time."""
        if self.covers(slot, zone):
            return []
        intervals = self.open_intervals(slot.start, slot.end, zone)
        if intervals and intervals[0][0] == slot.start:
            return [Violation(OUTSIDE_OPENING_HOURS, "ends_at", "the room closes before the end")]
        return [
            Violation(
                OUTSIDE_OPENING_HOURS, "starts_at", "the room is not open for the whole booking"
            )
        ]

    def count_outside(self, slots: Iterable[TimeSlot], zone: ZoneInfo) -> int:
        """How many of `slots` do not lie entirely within open time: one pass over the open
        intervals of their whole span, so many bookings cost little more than one."""
        slots = sorted(slots, key=lambda s: s.start)
        if not slots or (not self.weekly and not self.exceptions):
            return 0
        span_end = max(s.end for s in slots)
        intervals = self.open_intervals(slots[0].start, span_end, zone)
        starts = [lo for lo, _ in intervals]
        outside = 0
        for s in slots:
            i = bisect_right(starts, s.start) - 1
            if i < 0 or intervals[i][1] < s.end:
                outside += 1
        return outside


def dates_touching(start: datetime, end: datetime, zone: ZoneInfo) -> tuple[date, date]:
    """The first and last local dates whose windows can reach into `[start, end)`: a window
    belongs to its date and ends by the next midnight."""
    start, end = max(start, EARLIEST), min(end, LATEST)
    return start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date()


def local_instant(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant the wall clock of `zone` shows `minutes` into `day` (1440: the next
    day's midnight): its first occurrence when shown twice, the end of the gap when skipped."""
    day += timedelta(days=minutes // MINUTES_A_DAY)
    minutes %= MINUTES_A_DAY
    wall = datetime.combine(day, time(minutes // 60, minutes % 60))
    earlier = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    later = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if earlier.astimezone(zone).replace(tzinfo=None) == wall:
        return min(earlier, later) if _shows(later, wall, zone) else earlier
    if _shows(later, wall, zone):
        return later
    # Skipped: fold=1 gives the instant before the gap, fold=0 the one after it; the gap ends
    # at the transition between them, found by halving (transitions fall on whole seconds).
    lo = int(min(earlier, later).timestamp())
    hi = int(max(earlier, later).timestamp())
    offset_before = datetime.fromtimestamp(lo, UTC).astimezone(zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(zone).utcoffset() == offset_before:
            lo = mid
        else:
            hi = mid
    return datetime.fromtimestamp(hi, UTC)


def _shows(instant: datetime, wall: datetime, zone: ZoneInfo) -> bool:
    return instant.astimezone(zone).replace(tzinfo=None) == wall
