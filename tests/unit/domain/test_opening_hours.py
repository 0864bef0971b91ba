"""Opening hours in the room's zone: windows, exceptions, midnight and DST days, by example."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.events import OpeningHoursChanged
from campus_booking.domain.opening_hours import (
    MAX_WINDOWS_A_DAY,
    OUTSIDE_OPENING_HOURS,
    DateException,
    OpeningHours,
    local_instant,
    weekly_window,
    window,
)
from campus_booking.domain.time_slots import TimeSlot

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ROOM = uuid4()
# 2027: Berlin springs forward on Sunday 28 March (02:00 -> 03:00) and falls back on Sunday
# 31 October (03:00 -> 02:00); New York on Sunday 14 March and Sunday 7 November (at 02:00).
MONDAY = date(2027, 3, 1)


def hours(
    *weekly: tuple[int, str, str], exceptions: tuple[DateException, ...] = ()
) -> OpeningHours:
    return OpeningHours.validated(
        ROOM,
        [
            weekly_window(day, opens, closes, f"weekly[{i}]")
            for i, (day, opens, closes) in enumerate(weekly)
        ],
        list(exceptions),
    )


def every_day(opens: str, closes: str) -> list[tuple[int, str, str]]:
    return [(day, opens, closes) for day in range(1, 8)]


def local(
    day: date, hour: int, minute: int = 0, zone: ZoneInfo = BERLIN, fold: int = 0
) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone, fold=fold).astimezone(
        UTC
    )


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def slot(start: datetime, end: datetime) -> TimeSlot:
    return TimeSlot(start, end)


# --- open or closed ------------------------------------------------------------------------


def test_a_room_without_weekly_windows_is_open_at_all_times() -> None:
    always = OpeningHours(ROOM)
    start = utc(2027, 3, 1, 3)

    assert always.covers(slot(start, start + timedelta(hours=24)), BERLIN)
    assert always.open_intervals(start, start + timedelta(days=9), BERLIN) == [
        (start, start + timedelta(days=9))
    ]


def test_exceptions_apply_to_a_room_without_weekly_windows() -> None:
    closed_day = hours(exceptions=(DateException(MONDAY, ()),))

    assert not closed_day.covers(slot(local(MONDAY, 10), local(MONDAY, 11)), BERLIN)
    assert not closed_day.covers(slot(local(MONDAY, 23), local(MONDAY, 23, 59)), BERLIN)
    tuesday = MONDAY + timedelta(days=1)
    assert closed_day.covers(slot(local(tuesday, 0), local(tuesday, 8)), BERLIN)


def test_a_booking_must_lie_within_a_window_in_local_time() -> None:
    library = hours((1, "08:00", "22:00"))

    assert library.covers(slot(local(MONDAY, 8), local(MONDAY, 22)), BERLIN)
    assert not library.covers(slot(local(MONDAY, 7, 59), local(MONDAY, 9)), BERLIN)
    assert not library.covers(slot(local(MONDAY, 21), local(MONDAY, 22, 1)), BERLIN)
    # The same wall-clock hours in New York are other instants.
    assert not library.covers(slot(local(MONDAY, 8), local(MONDAY, 9)), NEW_YORK)
    assert library.covers(
        slot(local(MONDAY, 8, zone=NEW_YORK), local(MONDAY, 9, zone=NEW_YORK)), NEW_YORK
    )


def test_the_violation_names_the_end_that_lies_in_closed_time() -> None:
    library = hours((1, "08:00", "22:00"))

    late_end = library.violations(slot(local(MONDAY, 21), local(MONDAY, 23)), BERLIN)
    early_start = library.violations(slot(local(MONDAY, 7), local(MONDAY, 9)), BERLIN)

    assert [(v.code, v.field) for v in late_end] == [(OUTSIDE_OPENING_HOURS, "ends_at")]
    assert [(v.code, v.field) for v in early_start] == [(OUTSIDE_OPENING_HOURS, "starts_at")]
    assert library.violations(slot(local(MONDAY, 9), local(MONDAY, 10)), BERLIN) == []


def test_a_day_may_have_several_windows_and_the_gap_between_them_is_closed() -> None:
    split = hours((1, "08:00", "12:00"), (1, "13:00", "20:00"))

    assert split.covers(slot(local(MONDAY, 8), local(MONDAY, 12)), BERLIN)
    assert split.covers(slot(local(MONDAY, 13), local(MONDAY, 20)), BERLIN)
    assert not split.covers(slot(local(MONDAY, 11), local(MONDAY, 14)), BERLIN)
    assert split.open_intervals(local(MONDAY, 0), local(MONDAY, 23), BERLIN) == [
        (local(MONDAY, 8), local(MONDAY, 12)),
        (local(MONDAY, 13), local(MONDAY, 20)),
    ]


def test_windows_touching_at_midnight_are_one_stretch() -> None:
    late = hours((1, "20:00", "24:00"), (2, "00:00", "02:00"))
    tuesday = MONDAY + timedelta(days=1)

    assert late.covers(slot(local(MONDAY, 22), local(tuesday, 1)), BERLIN)
    assert late.open_intervals(local(MONDAY, 0), local(tuesday, 12), BERLIN) == [
        (local(MONDAY, 20), local(tuesday, 2))
    ]


def test_a_24_hour_library_takes_bookings_across_midnight_all_week() -> None:
    library = hours(*every_day("00:00", "24:00"))
    start = local(MONDAY, 0)

    assert library.covers(slot(local(MONDAY, 18), local(MONDAY + timedelta(days=1), 6)), BERLIN)
    assert library.open_intervals(start, start + timedelta(days=7), BERLIN) == [
        (start, start + timedelta(days=7))
    ]


def test_an_exception_replaces_the_weekly_hours_of_its_date_only() -> None:
    christmas_eve = date(2027, 12, 24)  # a Friday
    shorter = hours(
        (5, "08:00", "22:00"),
        exceptions=(DateException(christmas_eve, (window("08:00", "12:00", "x"),)),),
    )

    assert shorter.covers(slot(local(christmas_eve, 9), local(christmas_eve, 12)), BERLIN)
    assert not shorter.covers(slot(local(christmas_eve, 12), local(christmas_eve, 13)), BERLIN)
    next_friday = christmas_eve + timedelta(days=7)
    assert shorter.covers(slot(local(next_friday, 12), local(next_friday, 13)), BERLIN)


def test_open_intervals_are_clipped_to_the_range_asked_for() -> None:
    library = hours((1, "08:00", "22:00"))

    assert library.open_intervals(local(MONDAY, 10), local(MONDAY, 11), BERLIN) == [
        (local(MONDAY, 10), local(MONDAY, 11))
    ]
    assert library.open_intervals(local(MONDAY, 22), local(MONDAY, 23), BERLIN) == []
    assert library.open_intervals(local(MONDAY, 11), local(MONDAY, 10), BERLIN) == []


def test_bookings_outside_are_counted_in_one_pass() -> None:
    library = hours(*every_day("08:00", "22:00"))
    inside = slot(local(MONDAY, 9), local(MONDAY, 10))
    too_late = slot(local(MONDAY, 21), local(MONDAY, 23))
    overnight = slot(local(MONDAY, 21), local(MONDAY + timedelta(days=1), 9))
    next_week = slot(local(MONDAY + timedelta(days=7), 8), local(MONDAY + timedelta(days=7), 22))

    assert library.count_outside([too_late, inside, overnight, next_week], BERLIN) == 2
    assert library.count_outside([], BERLIN) == 0
    assert OpeningHours(ROOM).count_outside([too_late], BERLIN) == 0


# --- DST days ---------------------------------------------------------------------------


SPRING_BERLIN = date(2027, 3, 28)
AUTUMN_BERLIN = date(2027, 10, 31)
SPRING_NEW_YORK = date(2027, 3, 14)
AUTUMN_NEW_YORK = date(2027, 11, 7)


@pytest.mark.parametrize(
    ("zone", "day", "gap_ends"),
    [
        (BERLIN, SPRING_BERLIN, utc(2027, 3, 28, 1)),
        (NEW_YORK, SPRING_NEW_YORK, utc(2027, 3, 14, 7)),
    ],
)
def test_a_wall_time_in_the_spring_gap_is_the_first_instant_after_it(
    zone: ZoneInfo, day: date, gap_ends: datetime
) -> None:
    assert local_instant(day, 2 * 60, zone) == gap_ends
    assert local_instant(day, 2 * 60 + 30, zone) == gap_ends
    assert local_instant(day, 3 * 60, zone) == gap_ends
    assert local_instant(day, 60 + 59, zone) == gap_ends - timedelta(minutes=1)


@pytest.mark.parametrize(("zone", "day"), [(BERLIN, SPRING_BERLIN), (NEW_YORK, SPRING_NEW_YORK)])
def test_a_window_starting_in_the_gap_opens_when_the_clock_jumps(zone: ZoneInfo, day: date) -> None:
    sunday = hours((7, "02:30", "05:00"))
    jump = local_instant(day, 2 * 60, zone)

    assert sunday.open_intervals(local(day, 0, zone=zone), local(day, 12, zone=zone), zone) == [
        (jump, local(day, 5, zone=zone))
    ]
    assert (
        hours((7, "02:00", "03:00")).open_intervals(
            jump - timedelta(hours=3), jump + timedelta(hours=3), zone
        )
        == []
    )


@pytest.mark.parametrize(("zone", "day"), [(BERLIN, SPRING_BERLIN), (NEW_YORK, SPRING_NEW_YORK)])
def test_the_short_spring_day_is_23_hours_of_a_24_hour_room(zone: ZoneInfo, day: date) -> None:
    library = hours(*every_day("00:00", "24:00"))
    start, end = local(day, 0, zone=zone), local(day + timedelta(days=1), 0, zone=zone)

    assert end - start == timedelta(hours=23)
    assert library.open_intervals(start, end, zone) == [(start, end)]


@pytest.mark.parametrize(
    ("zone", "day", "repeated"),
    [(BERLIN, AUTUMN_BERLIN, 2), (NEW_YORK, AUTUMN_NEW_YORK, 1)],
)
def test_the_repeated_autumn_hour_is_open_once_not_twice(
    zone: ZoneInfo, day: date, repeated: int
) -> None:
    """A window inside the hour the clock shows twice is open on its first pass only."""
    half_hour = hours((7, f"{repeated:02d}:00", f"{repeated:02d}:30"))
    first = local(day, repeated, zone=zone, fold=0)
    second = local(day, repeated, zone=zone, fold=1)
    assert second - first == timedelta(hours=1)

    intervals = half_hour.open_intervals(
        first - timedelta(hours=3), second + timedelta(hours=3), zone
    )

    assert intervals == [(first, first + timedelta(minutes=30))]
    assert not half_hour.covers(slot(second, second + timedelta(minutes=30)), zone)


@pytest.mark.parametrize(
    ("zone", "day", "repeated"),
    [(BERLIN, AUTUMN_BERLIN, 2), (NEW_YORK, AUTUMN_NEW_YORK, 1)],
)
def test_windows_touching_inside_the_repeated_hour_still_touch(
    zone: ZoneInfo, day: date, repeated: int
) -> None:
    two = hours((7, "00:00", f"{repeated:02d}:30"), (7, f"{repeated:02d}:30", "06:00"))
    start, end = local(day, 0, zone=zone), local(day, 6, zone=zone)

    assert two.open_intervals(start - timedelta(hours=1), end + timedelta(hours=1), zone) == [
        (start, end)
    ]
    assert end - start == timedelta(hours=7)  # the repeated hour is in the stretch once


@pytest.mark.parametrize(("zone", "day"), [(BERLIN, AUTUMN_BERLIN), (NEW_YORK, AUTUMN_NEW_YORK)])
def test_the_long_autumn_day_is_25_hours_of_a_24_hour_room(zone: ZoneInfo, day: date) -> None:
    library = hours(*every_day("00:00", "24:00"))
    start, end = local(day, 0, zone=zone), local(day + timedelta(days=1), 0, zone=zone)

    assert end - start == timedelta(hours=25)
    assert library.open_intervals(start, end, zone) == [(start, end)]


# --- what PUT may send ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekly", "field"),
    [
        ([(1, "08:00", "12:00"), (1, "11:00", "14:00")], "weekly[1].opens"),
        ([(2, "13:00", "20:00"), (2, "08:00", "14:00")], "weekly[0].opens"),
        ([(1, "12:00", "12:00")], "weekly[0].closes"),
        ([(1, "12:00", "08:00")], "weekly[0].closes"),
        ([(0, "08:00", "12:00")], "weekly[0].weekday"),
        ([(8, "08:00", "12:00")], "weekly[0].weekday"),
        ([(1, "24:00", "24:00")], "weekly[0].opens"),
        ([(1, "8:00", "12:00")], "weekly[0].opens"),
        ([(1, "08:00", "24:01")], "weekly[0].closes"),
        ([(1, "08:00", "12:60")], "weekly[0].closes"),
    ],
)
def test_malformed_weekly_windows_are_refused_naming_the_field(
    weekly: list[tuple[int, str, str]], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        hours(*weekly)

    assert refused.value.field == field


def test_the_same_window_on_other_days_and_touching_windows_are_fine() -> None:
    fine = hours((1, "08:00", "12:00"), (2, "08:00", "12:00"), (1, "12:00", "24:00"))

    assert [w.weekday for w in fine.weekly] == [1, 1, 2]


def test_a_date_given_twice_or_overlapping_exception_windows_are_refused() -> None:
    with pytest.raises(InvalidValue) as twice:
        hours(exceptions=(DateException(MONDAY, ()), DateException(MONDAY, ())))
    overlapping = DateException(
        MONDAY, (window("08:00", "12:00", "a"), window("10:00", "13:00", "b"))
    )
    with pytest.raises(InvalidValue) as overlap:
        hours(exceptions=(DateException(MONDAY + timedelta(days=1), ()), overlapping))

    assert twice.value.field == "exceptions[1].date"
    assert overlap.value.field == "exceptions[1].windows[1].opens"


# --- the trail -------------------------------------------------------------------------


def test_replacing_records_what_changed_and_nothing_for_the_same_hours() -> None:
    stored = hours((1, "08:00", "22:00"))
    new = hours((1, "08:00", "20:00"), exceptions=(DateException(MONDAY, ()),))
    by = uuid4()
    when = utc(2027, 2, 1)

    stored.replace(new, by=by, at=when)
    stored.replace(new, by=by, at=when)

    [event] = stored.events
    assert isinstance(event, OpeningHoursChanged)
    assert event.subject_id == ROOM
    assert event.before == {"opening_hours": ["1 08:00-22:00"], "opening_exceptions": []}
    assert event.after == {
        "opening_hours": ["1 08:00-20:00"],
        "opening_exceptions": ["2027-03-01 closed"],
    }
    assert stored == new


def test_a_day_holds_at_most_a_few_windows() -> None:
    ninth = [(1, f"{h:02d}:00", f"{h:02d}:30") for h in range(MAX_WINDOWS_A_DAY + 1)]

    hours(*ninth[:-1])
    with pytest.raises(InvalidValue) as refused:
        hours(*ninth)

    assert refused.value.field == "weekly"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, 2, tzinfo=UTC)),
        (datetime(9999, 12, 31, 20, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("zone", [BERLIN, NEW_YORK, ZoneInfo("Pacific/Kiritimati")])
def test_at_the_ends_of_the_calendar_a_room_with_hours_is_closed_not_broken(
    start: datetime, end: datetime, zone: ZoneInfo
) -> None:
    library = hours(*every_day("00:00", "24:00"))

    assert library.open_intervals(start, end, zone) == []
    assert [v.code for v in library.violations(slot(start, end), zone)] == [OUTSIDE_OPENING_HOURS]
    assert OpeningHours(ROOM).covers(slot(start, end), zone)
