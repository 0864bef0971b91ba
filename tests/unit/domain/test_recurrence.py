"""Recurrence rules: the RRULE subset a series may follow, parsed, refused, and written back."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.recurrence import ByDay, Frequency, Recurrence

MO, TU, WE, TH, FR, SA, SU = range(7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=DAILY;COUNT=3", Recurrence(Frequency.DAILY, count=3)),
        ("FREQ=DAILY;INTERVAL=2;COUNT=10", Recurrence(Frequency.DAILY, interval=2, count=10)),
        ("FREQ=WEEKLY;COUNT=5", Recurrence(Frequency.WEEKLY, count=5)),
        (
            "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=6",
            Recurrence(Frequency.WEEKLY, by_day=(ByDay(MO), ByDay(WE), ByDay(FR)), count=6),
        ),
        (
            "FREQ=WEEKLY;INTERVAL=3;BYDAY=SA,SU;UNTIL=20270430",
            Recurrence(
                Frequency.WEEKLY,
                interval=3,
                by_day=(ByDay(SA), ByDay(SU)),
                until=date(2027, 4, 30),
            ),
        ),
        ("FREQ=MONTHLY;COUNT=4", Recurrence(Frequency.MONTHLY, count=4)),
        (
            "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=4",
            Recurrence(Frequency.MONTHLY, by_month_day=(31,), count=4),
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,15,-1;COUNT=4",
            Recurrence(Frequency.MONTHLY, by_month_day=(1, 15, -1), count=4),
        ),
        (
            "FREQ=MONTHLY;BYDAY=2TU;COUNT=4",
            Recurrence(Frequency.MONTHLY, by_day=(ByDay(TU, 2),), count=4),
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR,1MO,5SU,-5TH;COUNT=4",
            Recurrence(
                Frequency.MONTHLY,
                by_day=(ByDay(FR, -1), ByDay(MO, 1), ByDay(SU, 5), ByDay(TH, -5)),
                count=4,
            ),
        ),
        (
            "FREQ=MONTHLY;INTERVAL=2;BYDAY=1MO;BYMONTHDAY=1;COUNT=4",
            Recurrence(
                Frequency.MONTHLY,
                interval=2,
                by_day=(ByDay(MO, 1),),
                by_month_day=(1,),
                count=4,
            ),
        ),
        ("FREQ=DAILY;UNTIL=20270430", Recurrence(Frequency.DAILY, until=date(2027, 4, 30))),
        (
            "FREQ=DAILY;UNTIL=20270430T120000Z",
            Recurrence(Frequency.DAILY, until=datetime(2027, 4, 30, 12, 0, tzinfo=UTC)),
        ),
        ("FREQ=DAILY;COUNT=10000", Recurrence(Frequency.DAILY, count=10000)),
        ("FREQ=DAILY;INTERVAL=1000;COUNT=2", Recurrence(Frequency.DAILY, interval=1000, count=2)),
    ],
)
def test_every_supported_part_is_read(text: str, expected: Recurrence) -> None:
    rule = Recurrence.parse(text)

    assert rule == expected
    assert str(rule) == text
    assert Recurrence.parse(str(rule)) == rule


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("freq=weekly;byday=tu;count=3", "FREQ=WEEKLY;BYDAY=TU;COUNT=3"),
        ("RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=3", "FREQ=WEEKLY;BYDAY=TU;COUNT=3"),
        ("rrule:Freq=Monthly;ByDay=-1fr;Until=20270430", "FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270430"),
        ("  FREQ=DAILY;COUNT=3\n", "FREQ=DAILY;COUNT=3"),
        # parts in any order, written back in one
        (
            "COUNT=3;BYDAY=TU,TH;FREQ=WEEKLY;INTERVAL=2",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=3",
        ),
        ("UNTIL=20270430T120000Z;FREQ=DAILY", "FREQ=DAILY;UNTIL=20270430T120000Z"),
        # INTERVAL=1 is the default and is not written; leading zeros and signs are dropped
        ("FREQ=DAILY;INTERVAL=1;COUNT=3", "FREQ=DAILY;COUNT=3"),
        ("FREQ=DAILY;INTERVAL=02;COUNT=003", "FREQ=DAILY;INTERVAL=2;COUNT=3"),
        ("FREQ=MONTHLY;BYDAY=+2TU;COUNT=3", "FREQ=MONTHLY;BYDAY=2TU;COUNT=3"),
        ("FREQ=MONTHLY;BYMONTHDAY=01,-01;COUNT=3", "FREQ=MONTHLY;BYMONTHDAY=1,-1;COUNT=3"),
    ],
)
def test_any_spelling_gives_the_canonical_text(text: str, canonical: str) -> None:
    rule = Recurrence.parse(text)

    assert str(rule) == canonical
    assert Recurrence.parse(str(rule)) == rule


@pytest.mark.parametrize(
    "text",
    [
        # parts outside the subset
        "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2;COUNT=3",
        "FREQ=MONTHLY;BYMONTH=3;COUNT=3",
        "FREQ=WEEKLY;WKST=SU;COUNT=3",
        "FREQ=DAILY;BYHOUR=10;COUNT=3",
        "FREQ=DAILY;BYMINUTE=30;COUNT=3",
        "FREQ=MONTHLY;BYYEARDAY=1;COUNT=3",
        "FREQ=DAILY;COUNT=3;X-NAME=1",
        # frequencies outside the subset
        "FREQ=YEARLY;COUNT=3",
        "FREQ=HOURLY;COUNT=3",
        "FREQ=MINUTELY;COUNT=3",
        "FREQ=FORTNIGHTLY;COUNT=3",
        "COUNT=3",
        # exactly one of COUNT and UNTIL
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=TU",
        "FREQ=DAILY;COUNT=3;UNTIL=20270430",
        "FREQ=DAILY;COUNT=3;UNTIL=20270430T120000Z",
        # numbers out of range or not numbers
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;COUNT=10001",
        "FREQ=DAILY;COUNT=-1",
        "FREQ=DAILY;COUNT=three",
        "FREQ=DAILY;COUNT=1.5",
        "FREQ=DAILY;INTERVAL=0;COUNT=3",
        "FREQ=DAILY;INTERVAL=1001;COUNT=3",
        "FREQ=DAILY;INTERVAL=-2;COUNT=3",
        # BYDAY: plain weekdays for WEEKLY, ordinals -5..5 for MONTHLY, none for DAILY
        "FREQ=WEEKLY;BYDAY=2TU;COUNT=3",
        "FREQ=WEEKLY;BYDAY=TU,-1FR;COUNT=3",
        "FREQ=MONTHLY;BYDAY=TU;COUNT=3",
        "FREQ=MONTHLY;BYDAY=2TU,FR;COUNT=3",
        "FREQ=MONTHLY;BYDAY=0TU;COUNT=3",
        "FREQ=MONTHLY;BYDAY=6TU;COUNT=3",
        "FREQ=MONTHLY;BYDAY=-6TU;COUNT=3",
        "FREQ=MONTHLY;BYDAY=53TU;COUNT=3",
        "FREQ=DAILY;BYDAY=TU;COUNT=3",
        "FREQ=WEEKLY;BYDAY=TUE;COUNT=3",
        "FREQ=WEEKLY;BYDAY=XX;COUNT=3",
        "FREQ=WEEKLY;BYDAY=TU,TU;COUNT=3",
        "FREQ=WEEKLY;BYDAY=TU,;COUNT=3",
        "FREQ=WEEKLY;BYDAY=;COUNT=3",
        "FREQ=MONTHLY;BYDAY=2TU,+2TU;COUNT=3",
        # BYMONTHDAY: 1..31 or -1, MONTHLY only
        "FREQ=MONTHLY;BYMONTHDAY=0;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=32;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=-2;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=-31;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=+1;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=1,1;COUNT=3",
        "FREQ=MONTHLY;BYMONTHDAY=first;COUNT=3",
        "FREQ=WEEKLY;BYMONTHDAY=1;COUNT=3",
        "FREQ=DAILY;BYMONTHDAY=1;COUNT=3",
        # UNTIL: a date or a UTC date-time, a real one
        "FREQ=DAILY;UNTIL=20270430T120000",
        "FREQ=DAILY;UNTIL=20270430T120000+0200",
        "FREQ=DAILY;UNTIL=2027-04-30",
        "FREQ=DAILY;UNTIL=20270231",
        "FREQ=DAILY;UNTIL=20271301",
        "FREQ=DAILY;UNTIL=20270430T250000Z",
        "FREQ=DAILY;UNTIL=tomorrow",
        # duplicate parts
        "FREQ=DAILY;FREQ=WEEKLY;COUNT=3",
        "FREQ=DAILY;COUNT=3;COUNT=4",
        "FREQ=WEEKLY;BYDAY=TU;BYDAY=TH;COUNT=3",
        # not NAME=VALUE parts
        "",
        "   ",
        "RRULE:",
        "FREQ=WEEKLY;;COUNT=2",
        "FREQ=WEEKLY;COUNT=2;",
        ";FREQ=WEEKLY;COUNT=2",
        "FREQ=WEEKLY;COUNT",
        "FREQ=WEEKLY;COUNT=",
        "FREQ=;COUNT=2",
        "FREQ=DAILY; COUNT=2",
        "FREQ=DAILY,COUNT=2",
        "RRULE:RRULE:FREQ=DAILY;COUNT=2",
        "EXDATE:20270430",
    ],
)
def test_anything_else_is_refused_naming_recurrence(text: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        Recurrence.parse(text)

    assert refused.value.field == "recurrence"
    assert refused.value.reason


@pytest.mark.parametrize(
    ("until", "start", "local_start", "ends_by"),
    [
        # a date: the local date of the occurrence, that day included, whatever its UTC date
        (
            date(2027, 4, 30),
            datetime(2027, 5, 1, 2, 0, tzinfo=UTC),
            datetime(2027, 4, 30, 22, 0),
            True,
        ),
        (
            date(2027, 4, 30),
            datetime(2027, 4, 30, 19, 30, tzinfo=UTC),
            datetime(2027, 5, 1, 1, 0),
            False,
        ),
        # a UTC date-time: the instant, inclusive
        (
            datetime(2027, 4, 30, 12, 0, tzinfo=UTC),
            datetime(2027, 4, 30, 12, 0, tzinfo=UTC),
            datetime(2027, 4, 30, 14, 0),
            True,
        ),
        (
            datetime(2027, 4, 30, 12, 0, tzinfo=UTC),
            datetime(2027, 4, 30, 12, 0, 1, tzinfo=UTC),
            datetime(2027, 4, 30, 8, 0),
            False,
        ),
    ],
)
def test_until_is_inclusive_by_local_date_or_by_instant(
    until: date | datetime, start: datetime, local_start: datetime, ends_by: bool
) -> None:
    rule = Recurrence(Frequency.DAILY, until=until)

    assert rule.ends_by(start, local_start) is ends_by


def test_a_counted_rule_ends_by_nothing() -> None:
    rule = Recurrence(Frequency.DAILY, count=3)

    assert rule.ends_by(datetime(9999, 1, 1, tzinfo=UTC), datetime(9999, 1, 1))
