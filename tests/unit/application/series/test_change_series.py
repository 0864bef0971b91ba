"""ChangeSeries: title, attendees and local times of the occurrences still to come, each
checked as a booking would be, all or nothing or the rest."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from uuid import UUID

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.adapters.memory.bookings import MemoryBookingRepository
from campus_booking.adapters.recurrence.dateutil_expander import expand_recurrence
from campus_booking.application.series import (
    ChangeSeries,
    ChangeSeriesCommand,
    CreateSeries,
    DecideSeries,
    OnConflict,
    SeriesView,
)
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.closures import Period
from campus_booking.domain.errors import InvalidTransition, SlotTaken
from campus_booking.domain.opening_hours import DateException, OpeningHours
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import SeriesBlocked
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User
from tests.unit.application.booking_requests import RULES
from tests.unit.application.series.series_requests import (
    HOUR,
    LockNotingUnitOfWork,
    everything,
    occurrences,
    series_of,
    utc,
    week,
)
from tests.unit.builders import add_booking, add_policy, add_room

AFTERNOON = ChangeSeriesCommand(start_time=time(14), end_time=time(16))


def afternoon(n: int) -> TimeSlot:
    """Occurrence `n` of the default series, moved to 14:00-16:00 UTC."""
    return TimeSlot(week(n).start + 4 * HOUR, week(n).end + 4 * HOUR)


@pytest.fixture
async def made(create_series: CreateSeries, student: User, room: Room) -> SeriesView:
    """A student's three Tuesdays, 10:00-12:00 UTC, approved."""
    return await create_series(student, series_of(room))


def slots(store: MemoryStore, view: SeriesView) -> list[TimeSlot]:
    return [booking.slot for booking in occurrences(store, view.series.id)]


async def test_title_and_attendees_change_on_every_upcoming_occurrence_and_the_series(
    change_series: ChangeSeries, store: MemoryStore, student: User, made: SeriesView
) -> None:
    command = ChangeSeriesCommand(title=" Seminar ", attendees=6)

    await change_series(student, made.series.id, command)

    stored = occurrences(store, made.series.id)
    assert {(b.title, b.attendees) for b in stored} == {("Seminar", 6)}
    assert [b.slot for b in stored] == [week(0), week(1), week(2)]
    assert (store.series[made.series.id].title, store.series[made.series.id].attendees) == (
        "Seminar",
        6,
    )
    assert store.commits == 2


async def test_new_local_times_move_each_occurrence_on_its_own_date_across_dst(
    create_series: CreateSeries,
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    berlin_room: Room,
) -> None:
    made = await create_series(student, series_of(berlin_room, starts_at=utc(2030, 3, 19, 9)))
    command = ChangeSeriesCommand(start_time=time(14), end_time=time(15, 30))

    await change_series(student, made.series.id, command)

    half = timedelta(minutes=30)
    moved = [
        TimeSlot(utc(2030, 3, 19, 13), utc(2030, 3, 19, 14) + half),  # 14:00 CET
        TimeSlot(utc(2030, 3, 26, 13), utc(2030, 3, 26, 14) + half),
        TimeSlot(utc(2030, 4, 2, 12), utc(2030, 4, 2, 13) + half),  # 14:00 CEST
    ]
    assert slots(store, made) == moved
    assert [b.occurrence_start for b in occurrences(store, made.series.id)] == [
        slot.start for slot in moved
    ]
    assert store.series[made.series.id].first == moved[0]  # a date booked back gets them too


async def test_a_change_from_a_date_leaves_the_occurrences_before_it(
    change_series: ChangeSeries, store: MemoryStore, student: User, made: SeriesView
) -> None:
    command = ChangeSeriesCommand(
        title="Seminar", start_time=time(14), end_time=time(16), since=date(2030, 1, 15)
    )

    await change_series(student, made.series.id, command)

    stored = occurrences(store, made.series.id)
    assert [b.title for b in stored] == ["Lecture", "Seminar", "Seminar"]
    assert [b.slot for b in stored] == [week(0), afternoon(1), afternoon(2)]
    assert store.series[made.series.id].first == week(0)


async def test_a_move_onto_another_booking_refuses_the_change_and_writes_nothing(
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    made: SeriesView,
) -> None:
    add_booking(store, room, TimeSlot(afternoon(1).end - HOUR, afternoon(1).end), by=other_student)
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await change_series(student, made.series.id, AFTERNOON)

    assert error.value.clashes is True
    assert [b.slot for b in error.value.blocked] == [afternoon(1)]
    assert everything(store) == before


async def test_with_skip_a_blocked_occurrence_keeps_its_time_and_the_others_move(
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    made: SeriesView,
) -> None:
    add_booking(store, room, afternoon(1), by=other_student)
    command = ChangeSeriesCommand(
        start_time=time(14), end_time=time(16), on_conflict=OnConflict.SKIP
    )

    await change_series(student, made.series.id, command)

    assert slots(store, made) == [afternoon(0), week(1), afternoon(2)]


async def test_an_occurrence_that_has_started_is_never_changed(
    change_series: ChangeSeries,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    made: SeriesView,
) -> None:
    clock.set(week(0).start + HOUR)
    command = ChangeSeriesCommand(title="Seminar", start_time=time(14), end_time=time(16))

    await change_series(student, made.series.id, command)

    stored = occurrences(store, made.series.id)
    assert [(b.title, b.slot) for b in stored] == [
        ("Lecture", week(0)),
        ("Seminar", afternoon(1)),
        ("Seminar", afternoon(2)),
    ]


async def test_a_student_moving_approved_occurrences_in_an_approval_room_asks_again(
    create_series: CreateSeries,
    decide_series: DecideSeries,
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    made = await create_series(student, series_of(approval_room))
    await decide_series.approve(staff, made.series.id)

    await change_series(student, made.series.id, AFTERNOON)

    assert {b.status for b in occurrences(store, made.series.id)} == {BookingStatus.PENDING}


async def test_staff_changing_a_students_series_count_the_students_quota(
    create_series: CreateSeries,
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    staff: User,
) -> None:
    policy = add_policy(store, max_minutes_per_day=120)
    study = add_room(store, "Study", policy_id=policy.id)
    made = await create_series(student, series_of(study, "FREQ=WEEKLY;COUNT=2", hours=1))
    # The student's first Tuesday is full: an hour of the series and this one. Staff hold none.
    add_booking(store, study, TimeSlot(afternoon(0).start, afternoon(0).start + HOUR), by=student)
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await change_series(staff, made.series.id, ChangeSeriesCommand(end_time=time(11, 30)))

    assert [b.slot.start for b in error.value.blocked] == [week(0).start]
    assert [v.code for b in error.value.blocked for v in b.violations] == ["daily_quota"]
    assert everything(store) == before


async def test_with_skip_the_week_is_never_left_over_its_quota(
    create_series: CreateSeries, change_series: ChangeSeries, store: MemoryStore, student: User
) -> None:
    """Five hours, Monday to Friday, under a seven-hour weekly quota; each made two hours
    long. Those that cannot be keep their hour, which still counts."""
    policy = add_policy(store, max_minutes_per_week=7 * 60)
    study = add_room(store, "Study", policy_id=policy.id)
    monday = utc(2030, 1, 7, 10)
    made = await create_series(
        student, series_of(study, "FREQ=DAILY;COUNT=5", starts_at=monday, hours=1)
    )
    command = ChangeSeriesCommand(end_time=time(12), on_conflict=OnConflict.SKIP)

    await change_series(student, made.series.id, command)

    held = sum((slot.duration for slot in slots(store, made)), timedelta())
    assert held <= timedelta(hours=7)


async def test_with_skip_a_move_onto_an_occurrence_that_kept_its_time_is_skipped_too(
    create_series: CreateSeries,
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    """Nights from 22:00 to 02:00 moved to 01:00-03:00 of their own date: the second cannot
    move, so it keeps 22:00-02:00, which the third's new time overlaps."""
    made = await create_series(
        student, series_of(room, "FREQ=DAILY;COUNT=3", starts_at=utc(2030, 1, 7, 22), hours=4)
    )
    add_booking(store, room, TimeSlot(utc(2030, 1, 8, 2, 30), utc(2030, 1, 8, 3)), by=other_student)
    command = ChangeSeriesCommand(start_time=time(1), end_time=time(3), on_conflict=OnConflict.SKIP)

    try:
        await change_series(student, made.series.id, command)
    except SlotTaken:
        pytest.fail("the store refused what the checks let through")

    assert slots(store, made) == [
        TimeSlot(utc(2030, 1, 7, 1), utc(2030, 1, 7, 3)),
        TimeSlot(utc(2030, 1, 8, 22), utc(2030, 1, 9, 2)),
        TimeSlot(utc(2030, 1, 9, 22), utc(2030, 1, 10, 2)),
    ]


async def test_a_title_change_is_not_refused_for_hours_set_since_the_series_was_made(
    change_series: ChangeSeries, store: MemoryStore, student: User, room: Room, made: SeriesView
) -> None:
    store.opening_hours[room.id] = OpeningHours(
        room.id, exceptions=(DateException(date(2030, 1, 15), ()),)
    )

    await change_series(student, made.series.id, ChangeSeriesCommand(title="Seminar"))

    assert {b.title for b in occurrences(store, made.series.id)} == {"Seminar"}


async def test_a_move_is_checked_against_the_hours_set_since(
    change_series: ChangeSeries, store: MemoryStore, student: User, room: Room, made: SeriesView
) -> None:
    store.opening_hours[room.id] = OpeningHours(
        room.id, exceptions=(DateException(date(2030, 1, 15), ()),)
    )

    with pytest.raises(SeriesBlocked) as error:
        await change_series(student, made.series.id, AFTERNOON)

    assert [b.slot for b in error.value.blocked] == [afternoon(1)]
    assert [v.code for v in error.value.blocked[0].violations] == ["outside_opening_hours"]


async def test_capacity_is_checked_with_each_occurrences_own_attendees(
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    made: SeriesView,
) -> None:
    """One occurrence changed on its own to the room's whole capacity plus one is still over
    it when the series moves; the others, of one attendee, are not."""
    second = occurrences(store, made.series.id)[1]
    second.attendees = store.rooms[made.series.room_id].capacity + 1

    with pytest.raises(SeriesBlocked) as error:
        await change_series(student, made.series.id, AFTERNOON)

    assert [b.slot for b in error.value.blocked] == [afternoon(1)]
    assert [v.code for v in error.value.blocked[0].violations] == ["over_capacity"]


async def test_with_skip_a_change_no_occurrence_can_take_is_refused_and_writes_nothing(
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    made: SeriesView,
) -> None:
    for n in range(3):
        add_booking(store, room, afternoon(n), by=other_student)
    before = everything(store)
    command = ChangeSeriesCommand(
        title="Seminar", start_time=time(14), end_time=time(16), on_conflict=OnConflict.SKIP
    )

    with pytest.raises(SeriesBlocked) as error:
        await change_series(student, made.series.id, command)

    assert [b.slot for b in error.value.blocked] == [afternoon(0), afternoon(1), afternoon(2)]
    assert everything(store) == before


async def test_a_series_with_no_upcoming_occurrence_has_nothing_to_change(
    change_series: ChangeSeries,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    made: SeriesView,
) -> None:
    clock.set(week(2).end + HOUR)
    before = everything(store)

    with pytest.raises(InvalidTransition):
        await change_series(student, made.series.id, ChangeSeriesCommand(title="Seminar"))

    assert everything(store) == before


async def test_the_series_times_follow_a_move_only_when_every_occurrence_moved(
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    made: SeriesView,
) -> None:
    add_booking(store, room, afternoon(1), by=other_student)
    skip = ChangeSeriesCommand(start_time=time(14), end_time=time(16), on_conflict=OnConflict.SKIP)

    await change_series(student, made.series.id, skip)

    assert store.series[made.series.id].first == week(0)

    await change_series(student, made.series.id, ChangeSeriesCommand(start_time=time(9)))

    assert store.series[made.series.id].first == TimeSlot(utc(2030, 1, 8, 9), utc(2030, 1, 8, 11))


async def test_a_new_start_alone_moves_each_occurrence_keeping_its_length(
    change_series: ChangeSeries, store: MemoryStore, student: User, made: SeriesView
) -> None:
    await change_series(student, made.series.id, ChangeSeriesCommand(start_time=time(14)))

    assert slots(store, made) == [afternoon(0), afternoon(1), afternoon(2)]


async def test_a_move_reads_the_calendar_once_however_many_occurrences_are_skipped(
    create_series: CreateSeries,
    change_series: ChangeSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each round of "skip" leaves an occurrence at its time, in the way of the next one's new
    time: the rounds are checked in memory, against one reading of the room's calendar."""
    made = await create_series(
        student, series_of(room, "FREQ=DAILY;COUNT=3", starts_at=utc(2030, 1, 7, 22), hours=4)
    )
    add_booking(store, room, TimeSlot(utc(2030, 1, 8, 2, 30), utc(2030, 1, 8, 3)), by=other_student)
    reads: list[Period] = []
    times_within = MemoryBookingRepository.times_within

    async def noted(self: MemoryBookingRepository, room_id: UUID, period: Period) -> Any:
        reads.append(period)
        return await times_within(self, room_id, period)

    monkeypatch.setattr(MemoryBookingRepository, "times_within", noted)
    command = ChangeSeriesCommand(start_time=time(1), end_time=time(3), on_conflict=OnConflict.SKIP)

    await change_series(student, made.series.id, command)

    # three rounds: the second night is in the way, then the third is in the second's
    assert [slot.start for slot in slots(store, made)] == [
        utc(2030, 1, 7, 1),
        utc(2030, 1, 8, 22),
        utc(2030, 1, 9, 22),
    ]
    assert len(reads) == 1


async def test_staff_changing_a_students_series_lock_both_in_id_order_then_the_room(
    clock: FixedClock, store: MemoryStore, student: User, staff: User, made: SeriesView
) -> None:
    """The change counts the student's quotas, so it holds the student's row, as the student's
    own requests do (tests/race/test_quota_race.py races it on PostgreSQL)."""
    taken: list[tuple[str, object]] = []
    change = ChangeSeries(
        lambda **kw: LockNotingUnitOfWork(store, taken, **kw), clock, RULES, expand_recurrence
    )

    await change(staff, made.series.id, AFTERNOON)

    series = made.series
    assert taken == [
        ("user", tuple(sorted([staff.id, student.id]))),
        ("room", series.room_id),
        ("series", series.id),
        ("bookings", (series.id,)),
    ]
