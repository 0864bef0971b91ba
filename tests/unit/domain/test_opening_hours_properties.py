"""Properties of open intervals on DST days, checked against a brute-force oracle.

The oracle knows nothing of folds or gaps: a window opens at the first minute at which the
room's wall clock shows its opening time or later, and closes likewise. It scans minute by
minute, so only a few hours around a day are looked at.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from campus_booking.domain.opening_hours import (
    MINUTES_A_DAY,
    DateException,
    OpeningHours,
    WeeklyWindow,
    Window,
)
from campus_booking.domain.time_slots import TimeSlot

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
# Each zone's days of DST changes in 2027 (Sundays), and a plain Sunday.
ZONE_DAYS = [
    (BERLIN, date(2027, 3, 28)),
    (BERLIN, date(2027, 10, 31)),
    (NEW_YORK, date(2027, 3, 14)),
    (NEW_YORK, date(2027, 11, 7)),
    (BERLIN, date(2027, 6, 6)),
]
DAYS = [day for _, day in ZONE_DAYS]
# Cut points of windows: whole hours, and minutes in and around the hours the clocks change.
CUTS = sorted({*range(0, MINUTES_A_DAY + 1, 60), 61, 90, 119, 121, 150, 179, 181})


@st.composite
def day_windows(draw: st.DrawFn) -> tuple[Window, ...]:
    """Windows of one day that do not overlap (they may touch)."""
    cuts = sorted(draw(st.sets(st.sampled_from(CUTS), min_size=2, max_size=6)))
    pairs = [Window(a, b) for a, b in zip(cuts[::2], cuts[1::2], strict=False)]
    if draw(st.booleans()):  # touching windows: split one at an inner cut
        touching = []
        for w in pairs:
            inner = [c for c in CUTS if w.opens < c < w.closes]
            if inner:
                c = draw(st.sampled_from(inner))
                touching += [Window(w.opens, c), Window(c, w.closes)]
            else:
                touching.append(w)
        pairs = touching
    return tuple(pairs)


@st.composite
def opening_hours(draw: st.DrawFn) -> OpeningHours:
    """Sundays always have windows: the clocks change on Sundays in both zones."""
    weekly = [
        WeeklyWindow(day, w)
        for day in range(1, 8)
        for w in (draw(day_windows()) if day == 7 or draw(st.booleans()) else ())
    ]
    exceptions = [
        DateException(on, draw(day_windows()))
        for on in draw(st.sets(st.sampled_from(DAYS + [d - timedelta(days=1) for d in DAYS])))
    ]
    return OpeningHours.validated(uuid4(), weekly, exceptions)


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


@cache  # the same few cut points come back in every example
def first_reaching(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The first whole minute at which the wall clock shows `day`+`minutes` or later."""
    target = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minutes)
    candidate = target.replace(tzinfo=UTC) - timedelta(hours=15)
    while wall(candidate, zone) < target:
        candidate += timedelta(minutes=1)
    return candidate


def oracle_open(hours: OpeningHours, instant: datetime, zone: ZoneInfo) -> bool:
    today = instant.astimezone(zone).date()
    for day in (today - timedelta(days=1), today):
        for w in hours.windows_on(day):
            if first_reaching(day, w.opens, zone) <= instant < first_reaching(day, w.closes, zone):
                return True
    return False


def is_open(intervals: list[tuple[datetime, datetime]], instant: datetime) -> bool:
    return any(lo <= instant < hi for lo, hi in intervals)


@given(
    hours=opening_hours(),
    zone_day=st.sampled_from(ZONE_DAYS),
    start_hour=st.integers(-3, 4),  # around the hours the clocks change
    span_hours=st.integers(1, 6),
)
def test_open_intervals_agree_with_the_wall_clock_oracle_minute_by_minute(
    hours: OpeningHours, zone_day: tuple[ZoneInfo, date], start_hour: int, span_hours: int
) -> None:
    zone, day = zone_day
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    start += timedelta(hours=start_hour)
    end = start + timedelta(hours=span_hours)

    intervals = hours.open_intervals(start, end, zone)

    minute = start
    while minute < end:
        assert is_open(intervals, minute) == oracle_open(hours, minute, zone), minute
        minute += timedelta(minutes=15)


@given(
    hours=opening_hours(),
    zone_day=st.sampled_from(ZONE_DAYS),
    cut_minutes=st.integers(1, 36 * 60 - 1),
)
def test_open_intervals_are_ordered_apart_and_do_not_depend_on_how_the_range_is_cut(
    hours: OpeningHours, zone_day: tuple[ZoneInfo, date], cut_minutes: int
) -> None:
    zone, day = zone_day
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    start -= timedelta(hours=6)
    end = start + timedelta(hours=36)
    cut = start + timedelta(minutes=cut_minutes)

    whole = hours.open_intervals(start, end, zone)
    halves = hours.open_intervals(start, cut, zone) + hours.open_intervals(cut, end, zone)

    assert all(start <= lo < hi <= end for lo, hi in whole)
    assert all(a[1] < b[0] for a, b in pairwise(whole))  # merged when touching
    rejoined: list[tuple[datetime, datetime]] = []
    for lo, hi in halves:
        if rejoined and rejoined[-1][1] == lo:
            rejoined[-1] = (rejoined[-1][0], hi)
        else:
            rejoined.append((lo, hi))
    assert rejoined == whole


@given(
    hours=opening_hours(),
    zone_day=st.sampled_from(ZONE_DAYS),
    start_quarters=st.integers(0, 95),
    length_quarters=st.integers(1, 24),
)
def test_a_slot_is_covered_exactly_when_every_instant_of_it_is_open(
    hours: OpeningHours, zone_day: tuple[ZoneInfo, date], start_quarters: int, length_quarters: int
) -> None:
    zone, day = zone_day
    start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    start += timedelta(minutes=15 * start_quarters)
    end = start + timedelta(minutes=15 * length_quarters)
    intervals = hours.open_intervals(start - timedelta(days=1), end + timedelta(days=1), zone)
    every_minute_open = all(
        is_open(intervals, start + timedelta(minutes=m))
        for m in range(int((end - start) / timedelta(minutes=1)))
    )

    assert hours.covers(TimeSlot(start, end), zone) == every_minute_open
    assert (hours.violations(TimeSlot(start, end), zone) == []) == every_minute_open
    assert hours.count_outside([TimeSlot(start, end)], zone) == (0 if every_minute_open else 1)
