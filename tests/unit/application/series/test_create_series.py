"""CreateSeries: every occurrence a booking of the series, all or nothing, or the rest."""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import date
from typing import Any

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.adapters.recurrence.dateutil_expander import expand_recurrence
from campus_booking.application.series import CreateSeries, OnConflict
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.closures import Period
from campus_booking.domain.errors import AuthenticationFailed, InvalidValue
from campus_booking.domain.opening_hours import DateException, OpeningHours
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import Blocked, SeriesBlocked, SeriesStatus
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User
from tests.unit.application.booking_requests import RULES
from tests.unit.application.series.series_requests import (
    HOUR,
    LockNotingUnitOfWork,
    everything,
    occurrences,
    series_of,
    starts,
    utc,
    week,
)
from tests.unit.builders import add_booking, add_closure, add_policy, add_room, add_user


async def test_each_occurrence_is_a_booking_of_the_stored_series_in_one_commit(
    create_series: CreateSeries, store: MemoryStore, student: User, room: Room
) -> None:
    view = await create_series(student, series_of(room, attendees=4))

    series = store.series[view.series.id]
    assert (series.room_id, series.requester_id, series.title) == (room.id, student.id, "Lecture")
    assert (series.time_zone, series.first, series.skipped) == ("UTC", week(0), [])
    stored = occurrences(store, series.id)
    assert [b.slot for b in stored] == [week(0), week(1), week(2)]
    assert {(b.series_id, b.requester_id, b.attendees) for b in stored} == {
        (series.id, student.id, 4)
    }
    assert [b.occurrence_start for b in stored] == [b.slot.start for b in stored]
    assert {b.status for b in stored} == {BookingStatus.APPROVED}
    assert [b.id for b in view.occurrences] == [b.id for b in stored]
    assert len(store.bookings) == 3
    assert store.commits == 1


async def test_a_berlin_series_keeps_its_local_time_across_the_change_to_summer_time(
    create_series: CreateSeries, store: MemoryStore, student: User, berlin_room: Room
) -> None:
    command = series_of(berlin_room, starts_at=utc(2030, 3, 19, 9))  # 10:00 CET

    view = await create_series(student, command)

    assert starts(store, view.series.id) == [
        utc(2030, 3, 19, 9),
        utc(2030, 3, 26, 9),
        utc(2030, 4, 2, 8),  # 10:00 CEST
    ]
    assert store.series[view.series.id].time_zone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("time_zone", "second_hour"), [(None, 9), ("Europe/Berlin", 8)], ids=["room's", "given"]
)
async def test_a_time_zone_given_overrides_the_rooms(
    create_series: CreateSeries,
    store: MemoryStore,
    student: User,
    room: Room,
    time_zone: str | None,
    second_hour: int,
) -> None:
    command = series_of(
        room, "FREQ=WEEKLY;COUNT=2", starts_at=utc(2030, 3, 26, 9), time_zone=time_zone
    )

    view = await create_series(student, command)

    assert starts(store, view.series.id) == [utc(2030, 3, 26, 9), utc(2030, 4, 2, second_hour)]
    assert store.series[view.series.id].time_zone == (time_zone or "UTC")


async def test_one_occurrence_over_a_booking_refuses_the_series_and_writes_nothing(
    create_series: CreateSeries, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    taken = TimeSlot(week(1).start + HOUR, week(1).end + HOUR)
    add_booking(store, room, taken, by=other_student, status=BookingStatus.PENDING)
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await create_series(student, series_of(room))

    assert error.value.clashes is True
    assert error.value.blocked == [Blocked(week(1), conflicts=((taken.start, taken.end),))]
    assert everything(store) == before


async def test_a_closure_in_the_way_refuses_the_series_and_writes_nothing(
    create_series: CreateSeries, store: MemoryStore, student: User, room: Room
) -> None:
    add_closure(store, room, Period(utc(2030, 1, 15), utc(2030, 1, 16)), reason="Exams")
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await create_series(student, series_of(room))

    assert error.value.clashes is True
    [blocked] = error.value.blocked
    assert blocked.slot == week(1)
    assert blocked.closures == ((utc(2030, 1, 15), utc(2030, 1, 16), "Exams"),)
    assert everything(store) == before


async def test_a_rule_broken_by_one_occurrence_refuses_the_series_without_a_clash(
    create_series: CreateSeries, store: MemoryStore, student: User, room: Room
) -> None:
    closed = (DateException(date(2030, 1, 22), ()),)
    store.opening_hours[room.id] = OpeningHours(room.id, exceptions=closed)
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await create_series(student, series_of(room))

    assert error.value.clashes is False
    [blocked] = error.value.blocked
    assert blocked.slot == week(2)
    assert [v.code for v in blocked.violations] == ["outside_opening_hours"]
    assert (blocked.conflicts, blocked.closures) == ((), ())
    assert everything(store) == before


async def test_the_active_bookings_limit_counts_the_earlier_occurrences(
    create_series: CreateSeries, store: MemoryStore, student: User, room: Room
) -> None:
    """A student may hold RULES.max_active_per_student upcoming bookings: those held and the
    series' first three leave no room for its fourth."""
    for n in range(RULES.max_active_per_student - 3):
        add_booking(store, add_room(store, f"Room {n}"), week(0), by=student)
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await create_series(student, series_of(room, "FREQ=WEEKLY;COUNT=4"))

    assert error.value.clashes is False
    [blocked] = error.value.blocked
    assert blocked.slot == week(3)
    [violation] = blocked.violations
    assert (violation.code, violation.details["actual"]) == (
        "active_bookings_limit",
        RULES.max_active_per_student + 1,
    )
    assert everything(store) == before


async def test_skip_books_the_rest_and_keeps_the_blocked_one_on_the_series_with_why(
    create_series: CreateSeries, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    add_booking(store, room, week(1), by=other_student)

    view = await create_series(student, series_of(room, on_conflict=OnConflict.SKIP))

    assert starts(store, view.series.id) == [week(0).start, week(2).start]
    skipped = [Blocked(week(1), conflicts=((week(1).start, week(1).end),))]
    assert store.series[view.series.id].skipped == skipped
    assert view.series.skipped == skipped
    assert store.commits == 1


async def test_skip_with_every_occurrence_blocked_is_refused_and_writes_nothing(
    create_series: CreateSeries, store: MemoryStore, student: User, room: Room
) -> None:
    before = everything(store)
    command = series_of(room, attendees=room.capacity + 1, on_conflict=OnConflict.SKIP)

    with pytest.raises(SeriesBlocked) as error:
        await create_series(student, command)

    assert [b.slot for b in error.value.blocked] == [week(0), week(1), week(2)]
    assert {v.code for b in error.value.blocked for v in b.violations} == {"over_capacity"}
    assert error.value.clashes is False
    assert everything(store) == before


async def test_a_weekly_quota_counts_the_earlier_days_of_a_daily_series(
    create_series: CreateSeries, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store, max_minutes_per_week=240)
    study = add_room(store, "Study", policy_id=policy.id)
    monday = utc(2030, 1, 7, 10)  # two hours a day, for eight days
    command = series_of(study, "FREQ=DAILY;COUNT=8", starts_at=monday, on_conflict=OnConflict.SKIP)

    view = await create_series(student, command)

    assert starts(store, view.series.id) == [monday, utc(2030, 1, 8, 10), utc(2030, 1, 14, 10)]
    skipped = store.series[view.series.id].skipped
    assert [b.slot.start.day for b in skipped] == [9, 10, 11, 12, 13]
    assert {(v.code, v.details["actual"]) for b in skipped for v in b.violations} == {
        ("weekly_quota", 360)
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.STUDENT, BookingStatus.PENDING), (Role.STAFF, BookingStatus.APPROVED)],
)
async def test_in_an_approval_room_a_students_occurrences_wait_and_staffs_do_not(
    create_series: CreateSeries,
    store: MemoryStore,
    approval_room: Room,
    role: Role,
    status: BookingStatus,
) -> None:
    actor = add_user(store, role)

    view = await create_series(actor, series_of(approval_room))

    assert [b.status for b in occurrences(store, view.series.id)] == [status] * 3
    assert view.status is SeriesStatus(status.value)


async def test_the_requester_then_the_room_are_locked(
    clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    taken: list[tuple[str, object]] = []
    create = CreateSeries(
        lambda **kw: LockNotingUnitOfWork(store, taken, **kw), clock, RULES, expand_recurrence
    )

    await create(student, series_of(room))

    assert taken == [("user", student.id), ("room", room.id)]


async def test_a_requester_whose_account_changed_since_signing_in_writes_nothing(
    create_series: CreateSeries, store: MemoryStore, student: User, room: Room
) -> None:
    signed_in = User(**asdict(student))
    store.users[student.id] = replace(student, token_version=student.token_version + 1)
    before = everything(store)

    with pytest.raises(AuthenticationFailed):
        await create_series(signed_in, series_of(room))

    assert everything(store) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recurrence": "FREQ=HOURLY;COUNT=2"}, "recurrence"),
        ({"exdates": [date(2030, 1, 9)]}, "exdates[0]"),  # a Wednesday
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        # Tuesday 2030-01-08 is not the first Wednesday of the rule
        ({"recurrence": "FREQ=WEEKLY;BYDAY=WE;COUNT=2"}, "starts_at"),
    ],
)
async def test_a_malformed_series_names_the_field_and_writes_nothing(
    create_series: CreateSeries,
    store: MemoryStore,
    student: User,
    room: Room,
    fields: dict[str, Any],
    field: str,
) -> None:
    before = everything(store)

    with pytest.raises(InvalidValue) as error:
        await create_series(student, replace(series_of(room), **fields))

    assert error.value.field == field
    assert everything(store) == before
