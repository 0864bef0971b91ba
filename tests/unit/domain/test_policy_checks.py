"""The limits of a booking policy, in the room's local time: lengths, the slot grid, notice,
the horizon, and the quotas per local day, ISO week and upcoming bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from campus_booking.domain.booking_checks import (
    ACTIVE_BOOKINGS_LIMIT,
    DAILY_QUOTA,
    OFF_GRID,
    TOO_FAR_AHEAD,
    TOO_LONG,
    TOO_SHORT,
    TOO_SOON,
    WEEKLY_QUOTA,
    Usage,
    policy_violations,
    quota_window,
)
from campus_booking.domain.booking_policies import BookingPolicy, PolicyLimits
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.local_time import (
    day_start,
    days_between,
    last_local_date,
    local_date,
    local_instant,
)
from campus_booking.domain.time_slots import TimeSlot

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def codes(limits: PolicyLimits, slot: TimeSlot, **kw: object) -> list[str]:
    zone = kw.pop("zone", UTC_ZONE)
    usage = kw.pop("usage", None)
    found = policy_violations(limits, slot=slot, now=NOW, zone=zone, usage=usage)  # type: ignore[arg-type]
    return [violation.code for violation in found]


def hours(start: float, end: float) -> TimeSlot:
    return TimeSlot(NOW + timedelta(hours=start), NOW + timedelta(hours=end))


# --- the policy itself ------------------------------------------------------------------------


def test_no_limit_refuses_nothing() -> None:
    assert codes(PolicyLimits(), hours(1, 24)) == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"max_duration_minutes": 0}, "max_duration_minutes"),
        ({"max_duration_minutes": 1441}, "max_duration_minutes"),
        ({"slot_minutes": 7}, "slot_minutes"),
        ({"max_minutes_per_week": 7 * 1440 + 1}, "max_minutes_per_week"),
        ({"min_duration_minutes": 90, "max_duration_minutes": 60}, "min_duration_minutes"),
    ],
)
def test_a_limit_out_of_range_is_refused_naming_its_field(
    fields: dict[str, int], field: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        PolicyLimits(**fields)

    assert error.value.field == field


def test_a_policy_records_its_creation_change_and_deletion() -> None:
    policy = BookingPolicy.create(
        name="  Group   study ", limits=PolicyLimits(max_minutes_per_day=120), now=NOW, by=None
    )
    policy.replace(name="Group study", limits=PolicyLimits(), by=policy.id, at=NOW)
    policy.delete(by=policy.id, at=NOW)

    created, changed, deleted = policy.events
    assert policy.name == "Group study"
    assert created.after is not None
    assert created.after["max_minutes_per_day"] == 120
    assert (changed.before, changed.after) == (
        {"max_minutes_per_day": 120},
        {"max_minutes_per_day": None},
    )
    assert deleted.before == policy.trail_fields()
    assert deleted.after is None


# --- lengths, grid, notice, horizon -----------------------------------------------------------


def test_too_short_and_too_long_carry_the_limit_and_the_actual_minutes() -> None:
    limits = PolicyLimits(min_duration_minutes=30, max_duration_minutes=120)

    [short] = policy_violations(limits, slot=hours(1, 1.25), now=NOW, zone=UTC_ZONE)
    [long] = policy_violations(limits, slot=hours(1, 3.5), now=NOW, zone=UTC_ZONE)

    assert (short.code, short.details) == (TOO_SHORT, {"limit": 30, "actual": 15})
    assert (long.code, long.details) == (TOO_LONG, {"limit": 120, "actual": 150})
    assert codes(limits, hours(1, 1.5)) == codes(limits, hours(1, 3)) == []


def test_the_grid_is_of_the_local_hour_and_names_each_end_off_it() -> None:
    kathmandu = ZoneInfo("Asia/Kathmandu")  # UTC+05:45: a whole UTC hour is off the grid
    limits = PolicyLimits(slot_minutes=30)
    on_local_grid = TimeSlot(local(kathmandu, 2027, 3, 2, 10), local(kathmandu, 2027, 3, 2, 11, 30))
    on_utc_grid = hours(26, 27)

    assert codes(limits, on_local_grid, zone=kathmandu) == []
    found = policy_violations(limits, slot=on_utc_grid, now=NOW, zone=kathmandu)
    assert [(v.code, v.field) for v in found] == [(OFF_GRID, "starts_at"), (OFF_GRID, "ends_at")]


def test_a_second_past_the_grid_is_off_it() -> None:
    slot = TimeSlot(NOW + timedelta(hours=2, seconds=1), NOW + timedelta(hours=3))

    assert codes(PolicyLimits(slot_minutes=15), slot) == [OFF_GRID]


def test_notice_is_counted_from_now_to_the_start() -> None:
    limits = PolicyLimits(min_notice_minutes=60)

    [soon] = policy_violations(limits, slot=hours(0.5, 1), now=NOW, zone=UTC_ZONE)

    assert (soon.code, soon.details) == (TOO_SOON, {"limit": 60, "actual": 30})
    assert codes(limits, hours(1, 2)) == []


def test_the_horizon_is_measured_to_the_end() -> None:
    limits = PolicyLimits(max_advance_days=14)
    ending_on_the_horizon = hours(14 * 24 - 2, 14 * 24)
    ending_past_it = hours(14 * 24 - 1, 14 * 24 + 1)

    assert codes(limits, ending_on_the_horizon) == []
    [far] = policy_violations(limits, slot=ending_past_it, now=NOW, zone=UTC_ZONE)
    assert (far.code, far.details) == (TOO_FAR_AHEAD, {"limit": 14, "actual": 15})


# --- quotas in local time ---------------------------------------------------------------------


def test_the_daily_quota_counts_the_other_bookings_of_the_local_day_with_this_one() -> None:
    limits = PolicyLimits(max_minutes_per_day=120)
    morning = TimeSlot(local(BERLIN, 2027, 3, 2, 9), local(BERLIN, 2027, 3, 2, 10, 30))
    usage = Usage(slots=[morning])
    fits = TimeSlot(local(BERLIN, 2027, 3, 2, 14), local(BERLIN, 2027, 3, 2, 14, 30))
    too_much = TimeSlot(local(BERLIN, 2027, 3, 2, 14), local(BERLIN, 2027, 3, 2, 15))

    assert codes(limits, fits, zone=BERLIN, usage=usage) == []
    [over] = policy_violations(limits, slot=too_much, now=NOW, zone=BERLIN, usage=usage)
    assert (over.code, over.details) == (
        DAILY_QUOTA,
        {"limit": 120, "actual": 150, "date": "2027-03-02"},
    )


def test_the_local_day_is_not_the_utc_day() -> None:
    """00:30 in Berlin is the previous UTC day: it counts towards its own local date."""
    limits = PolicyLimits(max_minutes_per_day=60)
    late = TimeSlot(local(BERLIN, 2027, 3, 2, 23), local(BERLIN, 2027, 3, 2, 23, 45))
    early_next = TimeSlot(local(BERLIN, 2027, 3, 3, 0, 15), local(BERLIN, 2027, 3, 3, 0, 45))

    assert codes(limits, early_next, zone=BERLIN, usage=Usage(slots=[late])) == []
    assert codes(limits, early_next, zone=UTC_ZONE, usage=Usage(slots=[late])) == [DAILY_QUOTA]


def test_a_booking_across_midnight_counts_its_part_of_each_day() -> None:
    limits = PolicyLimits(max_minutes_per_day=90)
    before = TimeSlot(local(BERLIN, 2027, 3, 3, 8), local(BERLIN, 2027, 3, 3, 9))
    across = TimeSlot(local(BERLIN, 2027, 3, 2, 23), local(BERLIN, 2027, 3, 3, 1))

    found = policy_violations(limits, slot=across, now=NOW, zone=BERLIN, usage=Usage([before]))

    assert [(v.code, v.details["date"], v.details["actual"]) for v in found] == [
        (DAILY_QUOTA, "2027-03-03", 120)
    ]


@pytest.mark.parametrize(
    ("zone", "day", "length"),
    [
        (BERLIN, (2027, 3, 28), 23),  # spring forward: 02:00 becomes 03:00
        (BERLIN, (2027, 10, 31), 25),  # fall back: 02:00-03:00 twice
        (NEW_YORK, (2027, 3, 14), 23),
        (NEW_YORK, (2027, 11, 7), 25),
    ],
)
def test_a_dst_day_is_as_long_as_its_clocks_say(
    zone: ZoneInfo, day: tuple[int, int, int], length: int
) -> None:
    start = day_start(datetime(*day).date(), zone)
    end = day_start(datetime(*day).date() + timedelta(days=1), zone)

    assert end - start == timedelta(hours=length)
    # The whole day, and a minute more than it, against a quota of exactly its length.
    limits = PolicyLimits(max_minutes_per_day=min(1440, length * 60))
    whole_day = TimeSlot(start, min(end, start + timedelta(hours=24)))
    assert codes(limits, whole_day, zone=zone, usage=Usage()) == []


def test_the_repeated_hour_of_a_fall_back_is_counted_once() -> None:
    """01:30 to 02:30 local on the night Berlin falls back lasts two hours, not one."""
    first = datetime(2027, 10, 31, 1, 30, tzinfo=BERLIN).astimezone(UTC)
    end = datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=BERLIN).astimezone(UTC)
    slot = TimeSlot(first, end)

    [over] = policy_violations(
        PolicyLimits(max_minutes_per_day=90), slot=slot, now=NOW, zone=BERLIN, usage=Usage()
    )
    assert over.details["actual"] == 120


def test_a_wall_time_in_a_dst_gap_is_the_first_instant_after_it() -> None:
    gap_start = datetime(2027, 3, 28, 1, tzinfo=UTC)  # 02:00 CET is 03:00 CEST

    assert local_instant(datetime(2027, 3, 28).date(), datetime(1, 1, 1, 2, 30).time(), BERLIN) == (
        gap_start
    )


def test_the_weekly_quota_counts_the_local_iso_week() -> None:
    limits = PolicyLimits(max_minutes_per_week=180)
    # Monday 2027-03-01 to Sunday 2027-03-07 in New York.
    monday = TimeSlot(local(NEW_YORK, 2027, 3, 1, 9), local(NEW_YORK, 2027, 3, 1, 11))
    previous_sunday = TimeSlot(local(NEW_YORK, 2027, 2, 28, 9), local(NEW_YORK, 2027, 2, 28, 12))
    sunday = TimeSlot(local(NEW_YORK, 2027, 3, 7, 22), local(NEW_YORK, 2027, 3, 7, 23, 30))
    usage = Usage(slots=[previous_sunday, monday])

    [over] = policy_violations(limits, slot=sunday, now=NOW, zone=NEW_YORK, usage=usage)
    assert (over.code, over.details) == (
        WEEKLY_QUOTA,
        {"limit": 180, "actual": 210, "week": "2027-W09"},
    )
    next_monday = TimeSlot(local(NEW_YORK, 2027, 3, 8, 0), local(NEW_YORK, 2027, 3, 8, 2))
    assert codes(limits, next_monday, zone=NEW_YORK, usage=usage) == []


def test_the_active_bookings_limit_counts_this_booking_in() -> None:
    limits = PolicyLimits(max_active_bookings=2)

    assert codes(limits, hours(1, 2), usage=Usage(upcoming=1)) == []
    [over] = policy_violations(
        limits, slot=hours(1, 2), now=NOW, zone=UTC_ZONE, usage=Usage(upcoming=2)
    )
    assert (over.code, over.details) == (ACTIVE_BOOKINGS_LIMIT, {"limit": 2, "actual": 3})


def test_every_broken_limit_is_listed_at_once() -> None:
    limits = PolicyLimits(
        max_duration_minutes=60,
        slot_minutes=30,
        min_notice_minutes=120,
        max_minutes_per_day=60,
        max_active_bookings=1,
    )
    slot = TimeSlot(NOW + timedelta(minutes=10), NOW + timedelta(minutes=100))

    assert codes(limits, slot, usage=Usage(upcoming=1)) == [
        TOO_LONG,
        OFF_GRID,
        OFF_GRID,
        TOO_SOON,
        DAILY_QUOTA,
        ACTIVE_BOOKINGS_LIMIT,
    ]


@given(
    start=st.datetimes(
        min_value=datetime(2027, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(1, 1440),
    zone=st.sampled_from([BERLIN, NEW_YORK, UTC_ZONE]),
)
def test_the_quota_window_holds_every_day_the_slot_touches(
    start: datetime, minutes: int, zone: ZoneInfo
) -> None:
    slot = TimeSlot(start, start + timedelta(minutes=minutes))

    window_start, window_end = quota_window(slot, zone)

    assert window_start <= slot.start
    assert slot.end <= window_end
    assert window_start.astimezone(zone).isoweekday() == 1
    assert window_start.astimezone(zone).time() == datetime.min.time()
    assert timedelta(days=6) < window_end - window_start <= timedelta(days=14, hours=1)


@given(
    start=st.datetimes(
        min_value=datetime(2027, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    minutes=st.integers(1, 1440),
    zone=st.sampled_from([BERLIN, NEW_YORK]),
)
def test_the_local_days_a_slot_touches_share_it_out_exactly(
    start: datetime, minutes: int, zone: ZoneInfo
) -> None:
    """Whatever the DST transitions, the parts of a slot in its local days add up to it: no
    repeated hour is counted twice, no skipped hour is counted at all."""
    slot = TimeSlot(start, start + timedelta(minutes=minutes))
    days = days_between(local_date(slot.start, zone), last_local_date(slot.end, zone))

    parts = [
        min(slot.end, day_start(day + timedelta(days=1), zone))
        - max(slot.start, day_start(day, zone))
        for day in days
    ]

    assert all(part > timedelta(0) for part in parts)
    assert sum(parts, timedelta(0)) == slot.duration
