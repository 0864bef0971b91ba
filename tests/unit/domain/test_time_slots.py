"""TimeSlot: a half-open interval `[start, end)` of aware instants, kept in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.time_slots import TimeSlot

NINE = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
TEN = datetime(2030, 1, 15, 10, 0, tzinfo=UTC)
ELEVEN = datetime(2030, 1, 15, 11, 0, tzinfo=UTC)
NOON = datetime(2030, 1, 15, 12, 0, tzinfo=UTC)
NAIVE_NINE = datetime(2030, 1, 15, 9, 0)
NAIVE_TEN = datetime(2030, 1, 15, 10, 0)


class NoOffset(tzinfo):
    """A tzinfo that does not know its offset: the datetime is naive in all but name."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return None

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None


def slot(start: datetime, end: datetime) -> TimeSlot:
    return TimeSlot(start, end)


# --- Construction -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (NAIVE_NINE, TEN, "starts_at"),
        (NINE, NAIVE_TEN, "ends_at"),
        (NAIVE_NINE, NAIVE_TEN, "starts_at"),
        (NINE.replace(tzinfo=NoOffset()), TEN, "starts_at"),
        (NINE, TEN.replace(tzinfo=NoOffset()), "ends_at"),
    ],
    ids=["naive-start", "naive-end", "both-naive", "offsetless-start", "offsetless-end"],
)
def test_a_time_without_offset_is_refused_naming_its_field(
    start: datetime, end: datetime, field: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        TimeSlot(start, end)
    assert error.value.field == field


@pytest.mark.parametrize(
    ("start", "end"),
    [(TEN, TEN), (TEN, NINE), (TEN, TEN - timedelta(microseconds=1))],
    ids=["empty", "reversed", "one-microsecond-backwards"],
)
def test_an_end_not_after_the_start_is_refused_on_ends_at(start: datetime, end: datetime) -> None:
    with pytest.raises(InvalidValue) as error:
        TimeSlot(start, end)
    assert error.value.field == "ends_at"


def test_an_end_equal_to_the_start_in_another_offset_is_refused() -> None:
    same_instant = TEN.astimezone(timezone(timedelta(hours=5)))
    with pytest.raises(InvalidValue) as error:
        TimeSlot(TEN, same_instant)
    assert error.value.field == "ends_at"


def test_the_shortest_slot_is_one_microsecond() -> None:
    assert TimeSlot(TEN, TEN + timedelta(microseconds=1)).duration == timedelta(microseconds=1)


def test_bounds_are_normalised_to_utc() -> None:
    paris_winter = timezone(timedelta(hours=1))
    new_york = timezone(timedelta(hours=-5))
    result = TimeSlot(
        datetime(2030, 1, 15, 10, 0, tzinfo=paris_winter),
        datetime(2030, 1, 15, 6, 0, tzinfo=new_york),
    )
    assert result.start == NINE
    assert result.end == ELEVEN
    assert result.start.tzinfo is UTC
    assert result.end.tzinfo is UTC
    assert result.start.hour == 9
    assert result.end.hour == 11


def test_an_order_that_only_holds_after_normalisation_is_accepted() -> None:
    # 10:00+05:00 is 05:00 UTC, before 09:00 UTC, although its wall-clock hour is later.
    result = TimeSlot(datetime(2030, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=5))), NINE)
    assert result.start == datetime(2030, 1, 15, 5, 0, tzinfo=UTC)
    assert result.duration == timedelta(hours=4)


def test_slots_of_the_same_instants_in_different_offsets_are_equal() -> None:
    tokyo = timezone(timedelta(hours=9))
    assert TimeSlot(NINE.astimezone(tokyo), TEN.astimezone(tokyo)) == TimeSlot(NINE, TEN)
    assert hash(TimeSlot(NINE.astimezone(tokyo), TEN.astimezone(tokyo))) == hash(
        TimeSlot(NINE, TEN)
    )


def test_a_slot_is_immutable() -> None:
    nine_to_ten = TimeSlot(NINE, TEN)
    with pytest.raises(AttributeError):
        nine_to_ten.start = TEN  # type: ignore[misc]
    assert nine_to_ten.start == NINE


# --- Duration -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (NINE, TEN, timedelta(hours=1)),
        (NINE, NOON, timedelta(hours=3)),
        (NINE, NINE + timedelta(minutes=25), timedelta(minutes=25)),
        (NINE, NINE + timedelta(days=1), timedelta(days=1)),
    ],
)
def test_duration_is_end_minus_start(start: datetime, end: datetime, expected: timedelta) -> None:
    assert TimeSlot(start, end).duration == expected


def test_duration_counts_real_time_across_offsets() -> None:
    # 09:00 UTC to 11:00+01:00 (10:00 UTC) lasts one hour, not two.
    end = datetime(2030, 1, 15, 11, 0, tzinfo=timezone(timedelta(hours=1)))
    assert TimeSlot(NINE, end).duration == timedelta(hours=1)


# --- Overlap, half-open -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (slot(NINE, ELEVEN), slot(TEN, NOON), True),
        (slot(NINE, NOON), slot(TEN, ELEVEN), True),
        (slot(NINE, TEN), slot(NINE, TEN), True),
        (slot(NINE, TEN), slot(TEN, ELEVEN), False),
        (slot(NINE, TEN), slot(ELEVEN, NOON), False),
        (slot(NINE, TEN + timedelta(microseconds=1)), slot(TEN, ELEVEN), True),
    ],
    ids=["partial", "nested", "identical", "adjacent", "apart", "one-microsecond-overlap"],
)
def test_overlaps(first: TimeSlot, second: TimeSlot, expected: bool) -> None:
    assert first.overlaps(second) is expected
    assert second.overlaps(first) is expected


# --- Contains -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        (slot(NINE, NOON), slot(TEN, ELEVEN), True),
        (slot(NINE, NOON), slot(NINE, NOON), True),
        (slot(NINE, NOON), slot(NINE, TEN), True),
        (slot(NINE, NOON), slot(ELEVEN, NOON), True),
        (slot(TEN, ELEVEN), slot(NINE, NOON), False),
        (slot(NINE, ELEVEN), slot(TEN, NOON), False),
        (slot(TEN, NOON), slot(NINE, ELEVEN), False),
        (slot(NINE, TEN), slot(ELEVEN, NOON), False),
    ],
    ids=[
        "strictly-inside",
        "itself",
        "shares-start",
        "shares-end",
        "larger",
        "runs-past-the-end",
        "starts-before",
        "disjoint",
    ],
)
def test_contains(outer: TimeSlot, inner: TimeSlot, expected: bool) -> None:
    assert outer.contains(inner) is expected


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (NINE - timedelta(microseconds=1), False),
        (NINE, True),
        (datetime(2030, 1, 15, 9, 30, tzinfo=UTC), True),
        (TEN - timedelta(microseconds=1), True),
        (TEN, False),
        (ELEVEN, False),
    ],
    ids=["just-before", "start", "middle", "last-microsecond", "end", "after"],
)
def test_contains_instant_is_half_open(instant: datetime, expected: bool) -> None:
    assert TimeSlot(NINE, TEN).contains_instant(instant) is expected


def test_contains_instant_compares_instants_not_wall_clocks() -> None:
    # 09:30+05:00 is 04:30 UTC: outside 09:00-10:00 UTC despite its wall-clock time.
    plus_five = timezone(timedelta(hours=5))
    nine_to_ten = TimeSlot(NINE, TEN)
    assert nine_to_ten.contains_instant(datetime(2030, 1, 15, 9, 30, tzinfo=plus_five)) is False
    assert nine_to_ten.contains_instant(datetime(2030, 1, 15, 14, 30, tzinfo=plus_five)) is True


def test_a_slot_of_exactly_24_hours_is_the_longest_allowed() -> None:
    assert TimeSlot(NINE, NINE + timedelta(hours=24)).duration == timedelta(hours=24)

    with pytest.raises(InvalidValue) as error:
        TimeSlot(NINE, NINE + timedelta(hours=24, microseconds=1))

    assert error.value.field == "ends_at"
