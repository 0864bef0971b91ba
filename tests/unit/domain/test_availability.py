"""Interval arithmetic, a room's free and busy time, grid views and alternatives, by example."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from campus_booking.domain.alternatives import (
    Alternative,
    AlternativeKind,
    grid_ceil,
    grid_floor,
    other_times,
    shorter,
)
from campus_booking.domain.availability import (
    Busy,
    BusyKind,
    Interval,
    availability_view,
    clipped,
    interval_count,
    merged,
    room_availability,
    room_view,
    subtracted,
)
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.opening_hours import OpeningHours, WeeklyWindow, Window
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from tests.unit.builders import a_booking, a_closure, a_room, at, period, slot, times

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
BERLIN = ZoneInfo("Europe/Berlin")
KATHMANDU = ZoneInfo("Asia/Kathmandu")  # UTC+05:45 all year: its grid is not UTC's
# NOW is Tuesday 2030-01-01 08:00 UTC: `at(1)` is 09:00. Open 09:00 to 17:00 every day.
NINE_TO_FIVE = tuple(WeeklyWindow(day, Window(9 * 60, 17 * 60)) for day in range(1, 8))
PENDING, APPROVED = BookingStatus.PENDING, BookingStatus.APPROVED
REJECTED, CANCELLED = BookingStatus.REJECTED, BookingStatus.CANCELLED


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# --- merged, clipped, subtracted ----------------------------------------------------------


def test_merging_sorts_joins_overlapping_and_touching_intervals_and_drops_empty_ones() -> None:
    assert merged([times(5, 6), times(1, 2), times(2, 3), times(2.5, 4), times(7, 7)]) == [
        times(1, 4),
        times(5, 6),
    ]


def test_merging_swallows_contained_intervals_and_drops_reversed_ones() -> None:
    assert merged([times(1, 5), times(2, 3), times(6, 5), times(8, 9)]) == [
        times(1, 5),
        times(8, 9),
    ]
    assert merged([]) == []
    assert merged([times(3, 3)]) == []


def test_intervals_a_moment_apart_stay_apart() -> None:
    gap = timedelta(microseconds=1)
    assert merged([(at(0), at(1)), (at(1) + gap, at(2))]) == [
        (at(0), at(1)),
        (at(1) + gap, at(2)),
    ]


def test_clipping_keeps_the_parts_within_the_range() -> None:
    assert clipped([times(0, 2), times(3, 4), times(5, 9)], at(1), at(6)) == [
        times(1, 2),
        times(3, 4),
        times(5, 6),
    ]
    assert clipped([times(0, 1), times(6, 7)], at(1), at(6)) == []  # touching the range only
    assert clipped([times(-5, 20)], at(1), at(6)) == [times(1, 6)]


def test_clipping_keeps_the_order_it_is_given() -> None:
    assert clipped([times(4, 5), times(1, 2)], at(0), at(6)) == [times(4, 5), times(1, 2)]


def test_clipping_drops_empty_parts_as_its_docstring_says() -> None:
    empty_interval = clipped([times(2, 2)], at(1), at(3))  # [(at(2), at(2))]
    empty_range = clipped([times(0, 2)], at(1), at(1))  # [(at(1), at(1))]

    assert (empty_interval, empty_range) == ([], [])


def test_subtracting_cuts_holes_at_the_edges_inside_and_across_intervals() -> None:
    base = [times(0, 4), times(6, 10)]
    holes = [times(-1, 1), times(2, 3), times(3.5, 7), times(9, 12)]

    assert subtracted(base, holes) == [times(1, 2), times(3, 3.5), times(7, 9)]
    assert subtracted(base, [times(-5, 20)]) == []  # a hole covering all
    assert subtracted(base, []) == base


def test_holes_that_only_touch_an_interval_take_nothing_from_it() -> None:
    assert subtracted([times(1, 3)], [times(0, 1), times(3, 4)]) == [times(1, 3)]


def test_a_hole_exactly_as_large_as_an_interval_removes_it() -> None:
    assert subtracted([times(1, 3), times(4, 5)], [times(1, 3)]) == [times(4, 5)]


def test_subtracting_merges_the_base_and_takes_holes_in_any_order() -> None:
    base = [times(5, 8), times(0, 2), times(1, 3)]
    holes = [times(6, 7), times(0.5, 1), times(6.5, 7.5), times(2, 2)]

    assert subtracted(base, holes) == [times(0, 0.5), times(1, 3), times(5, 6), times(7.5, 8)]


def test_one_hole_may_cut_several_intervals_and_several_holes_one() -> None:
    base = [times(0, 2), times(3, 5), times(6, 8)]

    assert subtracted(base, [times(1, 7)]) == [times(0, 1), times(7, 8)]
    assert subtracted([times(0, 10)], [times(1, 2), times(3, 4), times(5, 6)]) == [
        times(0, 1),
        times(2, 3),
        times(4, 5),
        times(6, 10),
    ]


# --- room_availability --------------------------------------------------------------------


def test_free_time_is_open_time_minus_bookings_and_closures() -> None:
    room = a_room()
    hours = OpeningHours(room.id, NINE_TO_FIVE)
    mine = a_booking(room, slot(2, 3), status=PENDING)
    theirs = a_booking(room, slot(3, 4))
    cancelled = a_booking(room, slot(5, 6), status=CANCELLED)
    closure = a_closure(room, period(7, 30))

    availability = room_availability(
        room,
        hours,
        [mine, theirs, cancelled],
        [closure],
        at(0),
        at(12),
        may_see=lambda booking: booking is mine,
    )

    assert (availability.room, availability.start, availability.end) == (room, at(0), at(12))
    assert availability.open == [times(1, 9)]
    assert availability.busy == [
        Busy(at(2), at(3), BusyKind.BOOKING, PENDING, mine.id),
        Busy(at(3), at(4), BusyKind.BOOKING, APPROVED, None),
        Busy(at(7), at(12), BusyKind.CLOSURE, reason=closure.reason),  # clipped to the range
    ]
    assert availability.free == [times(1, 2), times(4, 7)]


def test_opening_hours_are_read_in_the_rooms_zone_across_midnight() -> None:
    room = a_room(time_zone="Europe/Berlin")  # UTC+01:00 in January
    hours = OpeningHours(room.id, NINE_TO_FIVE)
    start = utc(2030, 1, 1)

    availability = room_availability(
        room, hours, [], [], start, start + 2 * 24 * HOUR, may_see=lambda _: True
    )

    assert availability.open == [
        (utc(2030, 1, 1, 8), utc(2030, 1, 1, 16)),
        (
            utc(2030, 1, 2, 8),
            utc(2030, 1, 2, 16),
        ),
    ]
    assert availability.free == availability.open
    assert availability.busy == []


def test_bookings_and_closures_outside_opening_hours_are_busy_but_take_no_free_time() -> None:
    room = a_room()
    hours = OpeningHours(room.id, NINE_TO_FIVE)
    early = a_booking(room, slot(0, 1.5))  # 08:00-09:30: half of it before opening
    closure = a_closure(room, period(8.5, 10))  # 16:30-18:00

    availability = room_availability(
        room, hours, [early], [closure], at(0), at(12), may_see=lambda _: True
    )

    assert [(busy.start, busy.end) for busy in availability.busy] == [times(0, 1.5), times(8.5, 10)]
    assert availability.free == [times(1.5, 8.5)]


def test_a_caller_who_may_not_see_a_booking_sees_its_time_and_status_but_not_its_id() -> None:
    room = a_room()
    pending = a_booking(room, slot(1, 2), status=PENDING)
    approved = a_booking(room, slot(2, 3), status=APPROVED)

    availability = room_availability(
        room, OpeningHours(room.id), [approved, pending], [], at(0), at(4), may_see=lambda _: False
    )

    assert availability.busy == [
        Busy(at(1), at(2), BusyKind.BOOKING, PENDING, None),
        Busy(at(2), at(3), BusyKind.BOOKING, APPROVED, None),
    ]
    assert availability.free == [times(0, 1), times(3, 4)]


def test_may_see_is_asked_of_each_booking() -> None:
    room = a_room()
    seen = a_booking(room, slot(1, 2))
    unseen = a_booking(room, slot(2, 3))

    availability = room_availability(
        room, OpeningHours(room.id), [seen, unseen], [], at(0), at(4),
        may_see=lambda booking: booking.id == seen.id,
    )  # fmt: skip

    assert [busy.booking_id for busy in availability.busy] == [seen.id, None]


def test_cancelled_and_rejected_bookings_take_no_time() -> None:
    room = a_room()
    gone = [
        a_booking(room, slot(1, 2), status=CANCELLED),
        a_booking(room, slot(2, 3), status=REJECTED),
    ]

    availability = room_availability(
        room, OpeningHours(room.id), gone, [], at(0), at(4), may_see=lambda _: True
    )

    assert availability.busy == []
    assert availability.free == [times(0, 4)]


def test_busy_time_is_sorted_and_clipped_to_the_range() -> None:
    room = a_room()
    late = a_booking(room, slot(3, 6))
    early = a_booking(room, slot(-2, 1), status=PENDING)
    before = a_booking(room, slot(-3, -1))  # wholly before the range: not shown
    closure = a_closure(room, period(1.5, 2))

    availability = room_availability(
        room, OpeningHours(room.id), [late, before, early], [closure], at(0), at(4),
        may_see=lambda _: True,
    )  # fmt: skip

    assert [(busy.start, busy.end, busy.kind) for busy in availability.busy] == [
        (at(0), at(1), BusyKind.BOOKING),
        (at(1.5), at(2), BusyKind.CLOSURE),
        (at(3), at(4), BusyKind.BOOKING),
    ]
    assert availability.free == [times(1, 1.5), times(2, 3)]


def test_a_room_no_longer_in_use_has_no_open_time() -> None:
    room = a_room(is_active=False)
    booking = a_booking(room, slot(1, 2))

    availability = room_availability(
        room, OpeningHours(room.id), [booking], [], at(0), at(4), may_see=lambda _: True
    )

    assert (availability.open, availability.free) == ([], [])
    assert [(busy.start, busy.end) for busy in availability.busy] == [times(1, 2)]
    assert room_view(room, OpeningHours(room.id), [], [], at(0), at(4), HOUR) == "3333"


# --- grid views ---------------------------------------------------------------------------


def view(
    *,
    open_time: Sequence[Interval] | None = None,
    pending: Sequence[Interval] = (),
    approved: Sequence[Interval] = (),
    closed: Sequence[Interval] = (),
    hours: float = 4,
) -> str:
    """The view of `[at(0), at(hours))` in hours, open throughout unless said otherwise."""
    return availability_view(
        at(0),
        at(hours),
        HOUR,
        open_time=[times(0, hours)] if open_time is None else open_time,
        pending=pending,
        approved=approved,
        closed=closed,
    )


def test_each_digit_of_a_view() -> None:
    assert view() == "0000"
    assert view(pending=[times(1, 2)]) == "0100"
    assert view(approved=[times(2, 3)]) == "0020"
    assert view(closed=[times(3, 4)]) == "0003"
    assert view(open_time=[times(1, 4)]) == "3000"  # outside opening hours
    assert view(open_time=[]) == "3333"


def test_an_interval_takes_the_highest_state_of_any_of_its_moments() -> None:
    assert view(pending=[times(0.9, 1.1)]) == "1100"
    assert view(pending=[times(1, 2)], approved=[times(1.5, 1.75)]) == "0200"
    assert view(approved=[times(1, 2)], closed=[times(1.99, 2)]) == "0300"
    assert view(open_time=[times(0, 3.5)], pending=[times(3, 4)]) == "0003"  # closes at 3.5
    assert view(pending=[times(0, 4)], approved=[times(1, 3)], closed=[times(2, 2.5)]) == "1231"


def test_a_view_has_a_digit_per_interval_the_highest_state_winning_and_the_last_cut_short() -> None:
    got = availability_view(
        at(0),
        at(6.5),
        HOUR,
        open_time=[times(1, 6.5)],
        pending=[times(1, 2.5)],
        approved=[times(2.25, 3)],
        closed=[times(4.5, 4.75)],
    )

    # 08 (closed) 09 (pending) 10 (approved beats pending) 11 12 (closure) 13 14 (half an hour)
    assert got == "3120300"


def test_the_last_interval_is_cut_at_the_end_of_the_range() -> None:
    # [at(2), at(2.5)) is the last interval: what lies after the end does not mark it.
    assert view(hours=2.5, pending=[times(2.5, 3)], closed=[times(2.75, 9)]) == "000"
    assert view(hours=2.5, open_time=[times(0, 2.5)]) == "000"  # closing at the end is fine
    assert view(hours=2.5, approved=[times(2.4, 2.5)]) == "002"


def test_states_that_touch_an_interval_only_do_not_mark_it() -> None:
    assert view(pending=[times(0, 1)], approved=[times(3, 4)]) == "1002"
    assert view(closed=[times(2, 2)]) == "0000"  # an empty closure


def test_states_outside_the_range_do_not_mark_it() -> None:
    assert view(pending=[times(-2, 0)], approved=[times(4, 6)], closed=[times(-9, -1)]) == "0000"
    assert view(open_time=[times(-5, 10)]) == "0000"


def test_interval_count_rounds_a_part_interval_up() -> None:
    assert interval_count(at(0), at(6), HOUR) == 6
    assert interval_count(at(0), at(6.5), HOUR) == 7
    assert interval_count(at(0), at(0) + MINUTE, HOUR) == 1
    assert interval_count(at(0), at(6) + MINUTE, HOUR) == 7
    assert interval_count(at(0), at(0), HOUR) == 0
    assert interval_count(at(0), at(3), 90 * MINUTE) == 2
    assert len(view(hours=6.5)) == 7


def test_a_rooms_view_shows_only_its_active_bookings() -> None:
    room = a_room()
    booked = [
        (slot(0, 1), PENDING),
        (slot(1, 2), REJECTED),
        (slot(2, 3), APPROVED),
        (slot(2, 3), CANCELLED),
    ]

    assert room_view(room, OpeningHours(room.id), booked, [], at(0), at(3), HOUR) == "102"


def test_a_rooms_view_shows_its_closures_and_its_opening_hours_in_its_zone() -> None:
    room = a_room(time_zone="Europe/Berlin")  # 09:00-17:00 Berlin is 08:00-16:00 UTC
    hours = OpeningHours(room.id, NINE_TO_FIVE)
    closure = a_closure(room, period(3, 4))  # 11:00-12:00 UTC
    booked = [(slot(1, 2), PENDING)]

    got = room_view(room, hours, booked, [closure], at(-1), at(9), HOUR)

    # 07 (closed) 08 09 (pending) 10 11 (closure) 12 13 14 15 16 (closed)
    assert got == "3010300003"


# --- alternatives -------------------------------------------------------------------------


def test_the_grid_is_the_local_clocks() -> None:
    # 10:07:30 UTC is 15:52:30 in Kathmandu: a quarter-hour grid there is 10:00 and 10:15 UTC.
    instant = utc(2030, 1, 1, 10, 7, 30)

    assert grid_floor(instant, 15, KATHMANDU) == utc(2030, 1, 1, 10, 0)
    assert grid_ceil(instant, 15, KATHMANDU) == utc(2030, 1, 1, 10, 15)
    assert grid_floor(instant, 15, ZoneInfo("UTC")) == utc(2030, 1, 1, 10, 0)
    assert grid_floor(instant, 60, KATHMANDU) == utc(2030, 1, 1, 9, 15)
    assert grid_ceil(instant, 60, KATHMANDU) == utc(2030, 1, 1, 10, 15)


def test_an_instant_on_the_grid_is_its_own_floor_and_ceiling() -> None:
    on_grid = utc(2030, 1, 1, 10, 15)

    assert grid_floor(on_grid, 15, KATHMANDU) == on_grid
    assert grid_ceil(on_grid, 15, KATHMANDU) == on_grid
    assert grid_ceil(on_grid + timedelta(microseconds=1), 15, KATHMANDU) == on_grid + 15 * MINUTE


def test_the_grid_runs_through_the_hour_the_clock_shows_twice() -> None:
    # Berlin falls back on 2030-10-27 at 01:00 UTC: 02:50 CEST, then 02:10 CET.
    assert grid_floor(utc(2030, 10, 27, 0, 50), 30, BERLIN) == utc(2030, 10, 27, 0, 30)
    assert grid_ceil(utc(2030, 10, 27, 0, 50), 30, BERLIN) == utc(2030, 10, 27, 1, 0)
    assert grid_floor(utc(2030, 10, 27, 1, 10), 60, BERLIN) == utc(2030, 10, 27, 1, 0)


FREE = [times(1, 3), times(4, 8)]  # 09:00-11:00 and 12:00-16:00
ASKED = slot(3, 4)  # 11:00-12:00, taken


def test_other_times_are_the_nearest_starts_of_each_free_stretch_nearest_first() -> None:
    found = other_times(
        FREE, ASKED, day=times(-8, 16), earliest=at(0), step_minutes=30, zone=ZoneInfo("UTC")
    )

    # 10:00 and 12:00 are an hour away (the earlier first); 09:00 is the stretch's first.
    assert found == [slot(2, 3), slot(4, 5), slot(1, 2)]


def test_other_times_also_offer_the_first_start_from_the_earliest_on_the_grid() -> None:
    found = other_times(
        FREE, ASKED, day=times(-8, 16), earliest=at(5.25), step_minutes=30, zone=ZoneInfo("UTC")
    )

    # 13:15 is the earliest: 13:00 and 13:30 are the grid's starts around it.
    assert found == [slot(2, 3), slot(4, 5), slot(1, 2), slot(5, 6), slot(5.5, 6.5)]


def test_other_times_without_a_grid_start_anywhere_in_a_stretch() -> None:
    free = [(at(1) + 7 * MINUTE, at(3))]
    asked = TimeSlot(at(3) + 5 * MINUTE, at(4) + 5 * MINUTE)

    found = other_times(
        free, asked, day=times(0, 16), earliest=at(0), step_minutes=None, zone=ZoneInfo("UTC")
    )

    assert found == [slot(2, 3), TimeSlot(at(1) + 7 * MINUTE, at(2) + 7 * MINUTE)]


def test_other_times_stay_within_the_day_and_skip_stretches_too_short() -> None:
    found = other_times(
        [times(0.5, 1.25), times(1.5, 3), times(4, 8)],
        ASKED,
        day=times(1.25, 4.5),
        earliest=at(0),
        step_minutes=30,
        zone=ZoneInfo("UTC"),
    )

    assert found == [slot(2, 3), slot(1.5, 2.5)]


def test_other_times_never_offer_the_asked_slot_itself() -> None:
    found = other_times(
        [times(1, 5)], ASKED, day=times(0, 16), earliest=at(0), step_minutes=60,
        zone=ZoneInfo("UTC"),
    )  # fmt: skip

    assert ASKED not in found
    assert found == [slot(1, 2)]


def test_other_times_on_a_grid_that_fits_no_free_stretch_are_none() -> None:
    free = [(at(1) + 10 * MINUTE, at(2) + 20 * MINUTE)]  # 70 minutes, no whole hour from :00

    found = other_times(
        free, slot(3, 4), day=times(0, 16), earliest=at(0), step_minutes=60, zone=ZoneInfo("UTC")
    )

    assert found == []


def stay(
    free: list[Interval],
    asked: TimeSlot,
    *,
    shortest: float = 1,
    longest: float | None = None,
    step: int | None = 30,
) -> TimeSlot | None:
    return shorter(
        free,
        asked,
        shortest=shortest * HOUR,
        longest=None if longest is None else longest * HOUR,
        step_minutes=step,
        zone=ZoneInfo("UTC"),
    )


def test_a_shorter_stay_is_the_longest_free_from_the_asked_start_ending_on_the_grid() -> None:
    free = [times(1, 3.75)]  # 09:00-11:45; 10:00-12:00 is asked

    assert stay(free, slot(2, 4)) == slot(2, 3.5)
    assert stay(free, slot(2, 4), step=None) == slot(2, 3.75)
    assert stay(free, slot(2, 4), longest=1) == slot(2, 3)


def test_no_shorter_stay_when_too_short_or_the_asked_start_is_taken() -> None:
    free = [times(1, 3.75)]

    assert stay(free, slot(2, 4), shortest=2) is None
    assert stay(free, slot(0, 2)) is None  # 08:00 is not free
    assert stay(free, slot(3.75, 5), shortest=0.25) is None  # 11:45 is where the free time ends


def test_no_shorter_stay_when_the_asked_one_is_free_as_it_is() -> None:
    assert stay([times(1, 8)], slot(2, 4)) is None


def test_a_free_asked_slot_off_the_grid_has_a_shorter_stay_on_it() -> None:
    asked = TimeSlot(at(2), at(4) + 10 * MINUTE)

    assert stay([times(1, 8)], asked) == slot(2, 4)


def test_alternatives_rank_least_changed_first_then_shifts_then_best_fit() -> None:
    small, large = a_room("Oak", capacity=8), a_room("Ash", capacity=30)
    also_small = a_room("Elm", capacity=8)

    def alternative(kind: AlternativeKind, room: Room, minutes: int) -> Alternative:
        return Alternative(kind, room, slot(1, 2), minutes * MINUTE)

    shifted_far = alternative(AlternativeKind.OTHER_TIME, small, 60)
    shortened = alternative(AlternativeKind.SHORTER, small, 30)
    shifted_large = alternative(AlternativeKind.OTHER_TIME, large, 30)
    shifted_small = alternative(AlternativeKind.OTHER_TIME, small, 30)
    shifted_elm = alternative(AlternativeKind.OTHER_TIME, also_small, 30)

    ranked = sorted(
        [shifted_far, shortened, shifted_large, shifted_small, shifted_elm],
        key=Alternative.rank,
    )

    assert ranked == [shifted_elm, shifted_small, shifted_large, shortened, shifted_far]
    assert shifted_small.rank() == (30 * MINUTE, 0, 8, "Oak")
    assert shortened.rank() == (30 * MINUTE, 1, 8, "Oak")
