"""The times of a series' occurrences: the rule's dates (from the dateutil adapter) read in the
series' zone, across DST changes and month ends, up to UNTIL, less the exdates, and the
refusals of a series that is not what it claims to be."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from campus_booking.adapters.recurrence import expand_recurrence
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.series import (
    MAX_OCCURRENCES,
    expansion_limit,
    first_local_start,
    instant_of,
    local_wall_time,
    occurrence_slots,
)
from campus_booking.domain.time_slots import TimeSlot

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
KOLKATA = ZoneInfo("Asia/Kolkata")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
ZULU = ZoneInfo("UTC")
HOUR = timedelta(hours=1)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def plan(
    first: TimeSlot, zone: ZoneInfo, text: str, exdates: Sequence[date] = ()
) -> list[TimeSlot]:
    """What a use-case does: expand the rule from the first start's wall-clock time, then read
    the dates in the zone."""
    rule = Recurrence.parse(text)
    local_starts = expand_recurrence(rule, first_local_start(first, zone), expansion_limit(exdates))
    return occurrence_slots(first, zone, rule, local_starts, exdates)


def starts(slots: Sequence[TimeSlot]) -> list[datetime]:
    return [slot.start for slot in slots]


def local_dates(slots: Sequence[TimeSlot], zone: ZoneInfo) -> list[date]:
    return [slot.start.astimezone(zone).date() for slot in slots]


def refusal(
    first: TimeSlot, zone: ZoneInfo, text: str, exdates: Sequence[date] = ()
) -> InvalidValue:
    with pytest.raises(InvalidValue) as refused:
        plan(first, zone, text, exdates)
    return refused.value


# --- wall-clock times and instants ----------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "local", "instant"),
    [
        (BERLIN, datetime(2027, 1, 5, 10, 0), utc(2027, 1, 5, 9, 0)),
        (BERLIN, datetime(2027, 7, 6, 10, 0), utc(2027, 7, 6, 8, 0)),
        # a gap (02:00 → 03:00): read with the offset before it, so 02:30 is 03:30 CEST
        (BERLIN, datetime(2027, 3, 28, 2, 0), utc(2027, 3, 28, 1, 0)),
        (BERLIN, datetime(2027, 3, 28, 2, 30), utc(2027, 3, 28, 1, 30)),
        (BERLIN, datetime(2027, 3, 28, 3, 0), utc(2027, 3, 28, 1, 0)),
        # a repeated hour (03:00 → 02:00): its first occurrence, still CEST
        (BERLIN, datetime(2027, 10, 31, 2, 30), utc(2027, 10, 31, 0, 30)),
        (NEW_YORK, datetime(2027, 3, 14, 2, 30), utc(2027, 3, 14, 7, 30)),
        (NEW_YORK, datetime(2027, 11, 7, 1, 30), utc(2027, 11, 7, 5, 30)),
        (NEW_YORK, datetime(2027, 11, 7, 1, 30, fold=1), utc(2027, 11, 7, 5, 30)),
        # Lord Howe moves its clocks by half an hour (02:00 → 02:30 in October)
        (LORD_HOWE, datetime(2027, 10, 3, 2, 15), utc(2027, 10, 2, 15, 45)),
        (KOLKATA, datetime(2027, 3, 28, 2, 30), utc(2027, 3, 27, 21, 0)),
    ],
)
def test_a_wall_clock_time_is_the_instant_rfc_5545_reads(
    zone: ZoneInfo, local: datetime, instant: datetime
) -> None:
    assert instant_of(local, zone) == instant
    assert instant_of(local, zone).tzinfo is UTC


@pytest.mark.parametrize(
    ("instant", "local"),
    [
        (utc(2027, 11, 7, 5, 30), datetime(2027, 11, 7, 1, 30)),
        (utc(2027, 11, 7, 6, 30), datetime(2027, 11, 7, 1, 30)),
        (utc(2027, 3, 14, 7, 30), datetime(2027, 3, 14, 3, 30)),
    ],
)
def test_an_instant_has_one_naive_wall_clock_time(instant: datetime, local: datetime) -> None:
    wall = local_wall_time(instant, NEW_YORK)

    assert wall == local
    assert wall.tzinfo is None


# --- across DST changes ---------------------------------------------------------------------


def test_a_berlin_tuesday_keeps_ten_oclock_through_both_dst_changes() -> None:
    first = TimeSlot(utc(2027, 1, 5, 9, 0), utc(2027, 1, 5, 11, 0))  # 10:00-12:00 CET

    slots = plan(first, BERLIN, "FREQ=WEEKLY;BYDAY=TU;COUNT=52")

    assert len(slots) == 52
    assert slots[0] == first
    by_date = {slot.start.date(): slot for slot in slots}
    assert by_date[date(2027, 3, 23)] == TimeSlot(utc(2027, 3, 23, 9), utc(2027, 3, 23, 11))
    assert by_date[date(2027, 3, 30)] == TimeSlot(utc(2027, 3, 30, 8), utc(2027, 3, 30, 10))
    assert by_date[date(2027, 10, 26)] == TimeSlot(utc(2027, 10, 26, 8), utc(2027, 10, 26, 10))
    assert by_date[date(2027, 11, 2)] == TimeSlot(utc(2027, 11, 2, 9), utc(2027, 11, 2, 11))
    for slot in slots:
        summer = date(2027, 3, 28) < slot.start.date() < date(2027, 10, 31)
        assert slot.start.hour == (8 if summer else 9)
        assert slot.duration == 2 * HOUR
        local = slot.start.astimezone(BERLIN)
        assert (local.weekday(), local.hour, local.minute) == (1, 10, 0)
    assert starts(slots) == sorted(starts(slots))
    weeks = [b.start - a.start for a, b in pairwise(slots)]
    assert weeks.count(timedelta(days=7)) == 49  # every week but the two that change the clocks


def test_a_new_york_tuesday_keeps_ten_oclock_through_both_dst_changes() -> None:
    first = TimeSlot(utc(2027, 3, 2, 15, 0), utc(2027, 3, 2, 17, 0))  # 10:00-12:00 EST

    slots = plan(first, NEW_YORK, "FREQ=WEEKLY;COUNT=40")

    assert starts(slots)[:4] == [
        utc(2027, 3, 2, 15),
        utc(2027, 3, 9, 15),
        utc(2027, 3, 16, 14),  # EDT from 14 March
        utc(2027, 3, 23, 14),
    ]
    by_date = {slot.start.date(): slot.start for slot in slots}
    assert by_date[date(2027, 11, 2)] == utc(2027, 11, 2, 14)
    assert by_date[date(2027, 11, 9)] == utc(2027, 11, 9, 15)  # EST from 7 November
    for slot in slots:
        local = slot.start.astimezone(NEW_YORK)
        assert (local.weekday(), local.hour) == (1, 10)
        assert slot.duration == 2 * HOUR


def test_a_start_in_a_later_spring_forward_gap_is_read_with_the_offset_before_it() -> None:
    first = TimeSlot(utc(2027, 3, 14, 1, 30), utc(2027, 3, 14, 3, 0))  # Sundays 02:30-04:00 CET

    slots = plan(first, BERLIN, "FREQ=WEEKLY;COUNT=4")

    assert slots == [
        TimeSlot(utc(2027, 3, 14, 1, 30), utc(2027, 3, 14, 3, 0)),
        TimeSlot(utc(2027, 3, 21, 1, 30), utc(2027, 3, 21, 3, 0)),
        # 02:30 does not exist: 03:30 CEST, until 04:00 CEST, as the wall clock says
        TimeSlot(utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2, 0)),
        TimeSlot(utc(2027, 4, 4, 0, 30), utc(2027, 4, 4, 2, 0)),
    ]


def test_an_end_the_gap_puts_at_its_start_keeps_the_first_length() -> None:
    first = TimeSlot(utc(2027, 3, 21, 1, 30), utc(2027, 3, 21, 2, 30))  # Sundays 02:30-03:30 CET

    slots = plan(first, BERLIN, "FREQ=WEEKLY;COUNT=3")

    # on 28 March 02:30 and 03:30 are both 01:30Z: the hour is kept, 03:30-04:30 CEST
    assert slots[1] == TimeSlot(utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2, 30))
    assert slots[2] == TimeSlot(utc(2027, 4, 4, 0, 30), utc(2027, 4, 4, 1, 30))


def test_an_end_in_the_gap_is_read_like_a_start_in_it() -> None:
    first = TimeSlot(utc(2027, 3, 21, 0, 30), utc(2027, 3, 21, 1, 45))  # Sundays 01:30-02:45 CET

    slots = plan(first, BERLIN, "FREQ=WEEKLY;COUNT=2")

    assert slots[1] == TimeSlot(utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1, 45))  # -03:45 CEST


def test_a_first_end_in_a_gap_is_the_wall_clock_time_its_instant_shows() -> None:
    # 00:30 CET - 02:30 (not a time on 28 March: 03:30 CEST), two hours
    first = TimeSlot(utc(2027, 3, 27, 23, 30), utc(2027, 3, 28, 1, 30))

    slots = plan(first, BERLIN, "FREQ=DAILY;COUNT=2")

    assert slots == [first, TimeSlot(utc(2027, 3, 28, 22, 30), utc(2027, 3, 29, 1, 30))]


def test_a_night_stretched_past_a_day_by_the_clocks_keeps_the_first_length() -> None:
    first = TimeSlot(utc(2027, 10, 23, 20, 0), utc(2027, 10, 24, 20, 0))  # Sat 22:00 - Sun 22:00

    slots = plan(first, BERLIN, "FREQ=WEEKLY;COUNT=3")

    # the night of 30 October has 25 hours: the wall-clock end would make the slot too long
    assert slots[1] == TimeSlot(utc(2027, 10, 30, 20, 0), utc(2027, 10, 31, 20, 0))
    assert slots[2] == TimeSlot(utc(2027, 11, 6, 21, 0), utc(2027, 11, 7, 21, 0))


def test_the_repeated_hour_is_read_as_its_first_occurrence() -> None:
    first = TimeSlot(utc(2027, 10, 31, 5, 30), utc(2027, 10, 31, 6, 0))  # Sundays 01:30-02:00 EDT

    slots = plan(first, NEW_YORK, "FREQ=WEEKLY;COUNT=3")

    assert slots == [
        first,
        # 01:30 twice on 7 November: the first, EDT; 02:00 is EST, so the slot grows an hour
        TimeSlot(utc(2027, 11, 7, 5, 30), utc(2027, 11, 7, 7, 0)),
        TimeSlot(utc(2027, 11, 14, 6, 30), utc(2027, 11, 14, 7, 0)),
    ]


def test_half_hour_dst_of_lord_howe() -> None:
    first = TimeSlot(utc(2027, 9, 25, 15, 45), utc(2027, 9, 25, 16, 45))  # Sundays 02:15-03:15

    slots = plan(first, LORD_HOWE, "FREQ=WEEKLY;COUNT=3")

    assert starts(slots) == [
        utc(2027, 9, 25, 15, 45),  # +10:30
        utc(2027, 10, 2, 15, 45),  # 02:15 is in the 02:00-02:30 gap: read at +10:30
        utc(2027, 10, 9, 15, 15),  # +11:00
    ]
    assert [slot.duration for slot in slots] == [HOUR, HOUR - timedelta(minutes=30), HOUR]


def test_a_zone_without_dst_keeps_the_same_instant_of_day() -> None:
    first = TimeSlot(utc(2027, 1, 4, 4, 30), utc(2027, 1, 4, 5, 30))  # 10:00 IST

    slots = plan(first, KOLKATA, "FREQ=DAILY;INTERVAL=7;COUNT=30")

    assert {(slot.start.hour, slot.start.minute, slot.duration) for slot in slots} == {
        (4, 30, HOUR)
    }
    assert slots[-1].start == utc(2027, 1, 4, 4, 30) + timedelta(days=7 * 29)


# --- month ends and ordinal weekdays --------------------------------------------------------


@pytest.mark.parametrize("text", ["FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4", "FREQ=MONTHLY;COUNT=4"])
def test_the_31st_skips_the_months_without_one_and_does_not_count_them(text: str) -> None:
    first = TimeSlot(utc(2027, 1, 31, 9), utc(2027, 1, 31, 10))

    slots = plan(first, BERLIN, text)

    assert local_dates(slots, BERLIN) == [
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
        date(2027, 7, 31),
    ]
    assert starts(slots)[1:] == [utc(2027, 3, 31, 8), utc(2027, 5, 31, 8), utc(2027, 7, 31, 8)]


def test_month_day_minus_one_is_each_months_last_day() -> None:
    first = TimeSlot(utc(2027, 11, 30, 9), utc(2027, 11, 30, 10))

    slots = plan(first, BERLIN, "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=6")

    assert local_dates(slots, BERLIN) == [
        date(2027, 11, 30),
        date(2027, 12, 31),
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]


@pytest.mark.parametrize(
    ("text", "first_day", "days"),
    [
        (
            "FREQ=MONTHLY;BYDAY=-1FR;COUNT=5",
            date(2027, 1, 29),
            [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26), date(2027, 4, 30)],
        ),
        (
            "FREQ=MONTHLY;BYDAY=2TU;COUNT=5",
            date(2027, 1, 12),
            [date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13)],
        ),
        (
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO,-1FR;COUNT=5",
            date(2027, 1, 4),
            [date(2027, 1, 4), date(2027, 1, 29), date(2027, 3, 1), date(2027, 3, 26)],
        ),
    ],
)
def test_ordinal_weekdays_of_the_month(text: str, first_day: date, days: list[date]) -> None:
    start = datetime.combine(first_day, datetime.min.time()).replace(hour=15, tzinfo=NEW_YORK)
    first = TimeSlot(start, start + HOUR)

    slots = plan(first, NEW_YORK, text)

    assert local_dates(slots, NEW_YORK)[:4] == days
    assert {slot.start.astimezone(NEW_YORK).hour for slot in slots} == {15}


# --- UNTIL ----------------------------------------------------------------------------------


def test_until_a_date_includes_that_local_days_occurrence() -> None:
    first = TimeSlot(utc(2027, 4, 7, 2, 0), utc(2027, 4, 7, 3, 0))  # Tuesdays 22:00 EDT

    slots = plan(first, NEW_YORK, "FREQ=WEEKLY;UNTIL=20270427")

    # the last is on 27 April in New York, though on 28 April in UTC
    assert starts(slots) == [
        utc(2027, 4, 7, 2),
        utc(2027, 4, 14, 2),
        utc(2027, 4, 21, 2),
        utc(2027, 4, 28, 2),
    ]


def test_until_a_date_is_the_local_date_even_when_utc_is_a_day_behind() -> None:
    first = TimeSlot(utc(2027, 4, 20, 19, 30), utc(2027, 4, 20, 20, 30))  # Wednesdays 01:00 IST

    slots = plan(first, KOLKATA, "FREQ=WEEKLY;UNTIL=20270427")

    # 28 April 01:00 in Kolkata is still 27 April in UTC, but after the local day
    assert starts(slots) == [utc(2027, 4, 20, 19, 30)]


@pytest.mark.parametrize(
    ("until", "last"),
    [
        ("20270330T080000Z", utc(2027, 3, 30, 8)),  # inclusive, to the second
        ("20270330T075959Z", utc(2027, 3, 23, 9)),
        ("20270323T090000Z", utc(2027, 3, 23, 9)),  # a winter 10:00 is 09:00Z
        ("20270323T085959Z", utc(2027, 3, 16, 9)),
    ],
)
def test_until_a_utc_time_is_compared_by_instant(until: str, last: datetime) -> None:
    first = TimeSlot(utc(2027, 3, 16, 9), utc(2027, 3, 16, 11))  # Tuesdays 10:00 Berlin

    slots = plan(first, BERLIN, f"FREQ=WEEKLY;UNTIL={until}")

    assert slots[-1].start == last
    assert slots[0] == first


def test_an_until_before_the_first_occurrence_is_refused_naming_recurrence() -> None:
    first = TimeSlot(utc(2027, 3, 16, 9), utc(2027, 3, 16, 11))

    for text in ("FREQ=WEEKLY;UNTIL=20270315", "FREQ=WEEKLY;UNTIL=20270316T085959Z"):
        assert refusal(first, BERLIN, text).field == "recurrence"
        assert refusal(first, BERLIN, text, [date(2027, 3, 16)]).field == "recurrence"


# --- exdates --------------------------------------------------------------------------------


def test_exdates_are_removed_and_still_counted() -> None:
    first = TimeSlot(utc(2027, 3, 16, 9), utc(2027, 3, 16, 11))  # Tuesdays 10:00 Berlin

    slots = plan(first, BERLIN, "FREQ=WEEKLY;COUNT=5", [date(2027, 3, 30), date(2027, 3, 16)])

    assert starts(slots) == [utc(2027, 3, 23, 9), utc(2027, 4, 6, 8), utc(2027, 4, 13, 8)]


def test_an_exdate_is_a_local_date() -> None:
    first = TimeSlot(utc(2027, 4, 7, 2, 0), utc(2027, 4, 7, 3, 0))  # Tuesdays 22:00 EDT

    slots = plan(first, NEW_YORK, "FREQ=WEEKLY;COUNT=3", [date(2027, 4, 13)])

    assert starts(slots) == [utc(2027, 4, 7, 2), utc(2027, 4, 21, 2)]
    with pytest.raises(InvalidValue) as refused:
        plan(first, NEW_YORK, "FREQ=WEEKLY;COUNT=3", [date(2027, 4, 14)])  # its UTC date
    assert refused.value.field == "exdates[0]"


def test_exdates_with_until_may_reach_its_last_day() -> None:
    first = TimeSlot(utc(2027, 3, 16, 9), utc(2027, 3, 16, 11))

    slots = plan(first, BERLIN, "FREQ=WEEKLY;UNTIL=20270330", [date(2027, 3, 30)])

    assert starts(slots) == [utc(2027, 3, 16, 9), utc(2027, 3, 23, 9)]


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "text"),
    [
        (TimeSlot(utc(2027, 3, 15, 9), utc(2027, 3, 15, 10)), "FREQ=WEEKLY;BYDAY=TU;COUNT=3"),
        (TimeSlot(utc(2027, 3, 14, 9), utc(2027, 3, 14, 10)), "FREQ=MONTHLY;BYMONTHDAY=15;COUNT=3"),
        (TimeSlot(utc(2027, 3, 2, 9), utc(2027, 3, 2, 10)), "FREQ=MONTHLY;BYDAY=-1TU;COUNT=3"),
        (TimeSlot(utc(2027, 3, 31, 9), utc(2027, 3, 31, 10)), "FREQ=MONTHLY;BYDAY=1WE;COUNT=3"),
    ],
)
def test_a_start_that_is_not_the_rules_first_occurrence_is_refused(
    first: TimeSlot, text: str
) -> None:
    refused = refusal(first, BERLIN, text)

    assert refused.field == "starts_at"
    assert "first occurrence" in refused.reason


def test_the_second_of_a_repeated_hour_is_not_what_the_series_would_book() -> None:
    # 01:30 EST, the second 01:30 of 7 November: a series reads 01:30 as EDT, an hour earlier
    first = TimeSlot(utc(2027, 11, 7, 6, 30), utc(2027, 11, 7, 7, 30))

    assert refusal(first, NEW_YORK, "FREQ=WEEKLY;COUNT=3").field == "starts_at"
    # the first 01:30 is fine
    assert plan(
        TimeSlot(utc(2027, 11, 7, 5, 30), utc(2027, 11, 7, 7, 30)), NEW_YORK, "FREQ=WEEKLY;COUNT=3"
    )[1] == TimeSlot(utc(2027, 11, 14, 6, 30), utc(2027, 11, 14, 7, 30))


def test_an_end_in_the_second_of_a_repeated_hour_is_not_what_the_series_would_book() -> None:
    # 00:30 EDT - 01:30 EST is two hours, but its wall-clock times make one (00:30-01:30 EDT)
    first = TimeSlot(utc(2027, 11, 7, 4, 30), utc(2027, 11, 7, 6, 30))

    assert refusal(first, NEW_YORK, "FREQ=WEEKLY;COUNT=3").field == "ends_at"
    # where the wall-clock end comes before the start, the length is kept: nothing to refuse
    short = TimeSlot(utc(2027, 11, 7, 5, 45), utc(2027, 11, 7, 6, 15))  # 01:45 EDT - 01:15 EST
    assert plan(short, NEW_YORK, "FREQ=WEEKLY;COUNT=2") == [
        short,
        TimeSlot(utc(2027, 11, 14, 6, 45), utc(2027, 11, 14, 7, 15)),
    ]


@pytest.mark.parametrize(
    ("text", "exdates", "field"),
    [
        ("FREQ=WEEKLY;COUNT=3", [date(2027, 3, 17)], "exdates[0]"),  # a Wednesday
        ("FREQ=WEEKLY;COUNT=3", [date(2027, 3, 23), date(2027, 4, 6)], "exdates[1]"),  # after COUNT
        ("FREQ=WEEKLY;UNTIL=20270330", [date(2027, 4, 6)], "exdates[0]"),  # after UNTIL
        ("FREQ=WEEKLY;COUNT=3", [date(2027, 3, 9)], "exdates[0]"),  # before the first
        ("FREQ=WEEKLY;COUNT=3", [date(2027, 3, 23), date(2027, 3, 23)], "exdates[1]"),
        (
            "FREQ=WEEKLY;COUNT=3",
            [date(2027, 3, 16), date(2027, 3, 23), date(2027, 3, 30)],
            "exdates",
        ),
        ("FREQ=WEEKLY;COUNT=1", [date(2027, 3, 16)], "exdates"),
    ],
)
def test_bad_exdates_are_refused_naming_which(text: str, exdates: list[date], field: str) -> None:
    first = TimeSlot(utc(2027, 3, 16, 9), utc(2027, 3, 16, 11))

    assert refusal(first, BERLIN, text, exdates).field == field


@pytest.mark.parametrize(
    ("text", "exdates", "count"),
    [
        ("FREQ=DAILY;COUNT=500", 0, 500),
        ("FREQ=DAILY;COUNT=501", 0, None),
        ("FREQ=DAILY;COUNT=10000", 0, None),
        ("FREQ=DAILY;COUNT=502", 2, 500),  # the exdates take it back to the limit
        ("FREQ=DAILY;COUNT=503", 2, None),
        ("FREQ=DAILY;UNTIL=20290101", 0, None),  # two years of days
        ("FREQ=DAILY;UNTIL=20280514", 0, 500),  # 1 January 2027 + 499 days
        ("FREQ=DAILY;UNTIL=20280515", 0, None),
        ("FREQ=DAILY;UNTIL=20280515", 1, 500),
        ("FREQ=WEEKLY;INTERVAL=1;COUNT=600", 99, None),
        ("FREQ=WEEKLY;COUNT=600", 100, 500),
    ],
)
def test_at_most_500_occurrences(text: str, exdates: int, count: int | None) -> None:
    first = TimeSlot(utc(2027, 1, 1, 9), utc(2027, 1, 1, 10))
    step = timedelta(days=7 if "WEEKLY" in text else 1)
    excluded = [date(2027, 1, 1) + (i + 1) * step for i in range(exdates)]

    if count is None:
        assert refusal(first, BERLIN, text, excluded).field == "recurrence"
    else:
        slots = plan(first, BERLIN, text, excluded)
        assert len(slots) == count == MAX_OCCURRENCES


def test_the_expansion_limit_tells_a_series_over_the_limit() -> None:
    assert expansion_limit([]) == MAX_OCCURRENCES + 1
    assert expansion_limit([date(2027, 1, 2), date(2027, 1, 3)]) == MAX_OCCURRENCES + 3


def test_no_dates_at_all_is_refused_naming_recurrence() -> None:
    first = TimeSlot(utc(2027, 3, 16, 9), utc(2027, 3, 16, 11))
    rule = Recurrence.parse("FREQ=WEEKLY;COUNT=3")

    with pytest.raises(InvalidValue) as refused:
        occurrence_slots(first, BERLIN, rule, [], [])

    assert refused.value.field == "recurrence"


# --- the ends of the calendar ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "zone"),
    [
        # New York's wall clock is still in year 0 at 0001-01-01T01:00Z
        (TimeSlot(utc(1, 1, 1, 1), utc(1, 1, 1, 2)), NEW_YORK),
        (TimeSlot(utc(1, 1, 15, 23), utc(1, 1, 16, 1)), ZULU),
        (TimeSlot(utc(9999, 12, 30, 10), utc(9999, 12, 30, 12)), ZULU),
        (TimeSlot(utc(9999, 12, 17, 10), utc(9999, 12, 17, 12)), KOLKATA),
    ],
)
def test_a_first_occurrence_near_the_ends_of_the_calendar_is_refused_naming_starts_at(
    first: TimeSlot, zone: ZoneInfo
) -> None:
    assert refusal(first, zone, "FREQ=DAILY;COUNT=5").field == "starts_at"


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=DAILY;COUNT=30",
        "FREQ=DAILY;UNTIL=99991231",
        "FREQ=WEEKLY;UNTIL=99991231T235959Z",
    ],
)
def test_a_rule_running_into_the_end_of_the_calendar_is_refused_naming_recurrence(
    text: str,
) -> None:
    first = TimeSlot(utc(9999, 12, 1, 10), utc(9999, 12, 1, 12))

    assert refusal(first, NEW_YORK, text).field == "recurrence"


def test_a_count_the_calendar_ends_before_is_refused_rather_than_cut_short() -> None:
    """dateutil stops at year 9999 without a word: 100 dates 1,000 months apart run past it."""
    first = TimeSlot(utc(2030, 1, 8, 9), utc(2030, 1, 8, 11))

    refused = refusal(first, BERLIN, "FREQ=MONTHLY;INTERVAL=1000;COUNT=100")

    assert refused.field == "recurrence"
    assert len(plan(first, BERLIN, "FREQ=MONTHLY;INTERVAL=1000;COUNT=95")) == 95


def test_a_series_may_end_just_inside_the_margin() -> None:
    first = TimeSlot(utc(9999, 12, 10, 10), utc(9999, 12, 10, 12))

    slots = plan(first, BERLIN, "FREQ=DAILY;COUNT=6")

    assert slots[-1].start == utc(9999, 12, 15, 10)


def test_utc_is_a_zone_like_any_other() -> None:
    first = TimeSlot(utc(2027, 3, 27, 2, 30), utc(2027, 3, 27, 3, 30))

    slots = plan(first, ZULU, "FREQ=DAILY;COUNT=3")

    assert starts(slots) == [
        utc(2027, 3, 27, 2, 30),
        utc(2027, 3, 28, 2, 30),
        utc(2027, 3, 29, 2, 30),
    ]
