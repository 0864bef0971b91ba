"""AddOccurrence: a date the series skipped, or whose occurrence was cancelled, booked back."""

from __future__ import annotations

from datetime import date

import pytest

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.series import (
    AddOccurrence,
    CancelSeries,
    CreateSeries,
    OnConflict,
)
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import SeriesBlocked
from campus_booking.domain.users import User
from tests.unit.application.series.series_requests import (
    everything,
    occurrences,
    series_of,
    week,
)
from tests.unit.builders import add_booking

SECOND = date(2030, 1, 15)  # the default series' second Tuesday


async def test_a_skipped_date_is_booked_back_once_it_is_free(
    create_series: CreateSeries,
    add_occurrence: AddOccurrence,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    taken = add_booking(store, room, week(1), by=other_student)
    made = await create_series(student, series_of(room, on_conflict=OnConflict.SKIP))
    store.bookings[taken.id].status = BookingStatus.CANCELLED

    view = await add_occurrence(student, made.series.id, SECOND)

    stored = occurrences(store, made.series.id)
    assert [b.slot for b in stored] == [week(0), week(1), week(2)]
    back = stored[1]
    assert (back.requester_id, back.status, back.occurrence_start) == (
        student.id,
        BookingStatus.APPROVED,
        week(1).start,
    )
    assert store.series[made.series.id].skipped == []
    assert [b.id for b in view.occurrences] == [b.id for b in stored]
    assert store.commits == 2


async def test_a_cancelled_occurrences_date_is_booked_back(
    create_series: CreateSeries,
    cancel_series: CancelSeries,
    add_occurrence: AddOccurrence,
    store: MemoryStore,
    student: User,
    room: Room,
) -> None:
    made = await create_series(student, series_of(room))
    await cancel_series(student, made.series.id, since=SECOND)

    await add_occurrence(student, made.series.id, SECOND)

    assert [(b.slot, b.status) for b in occurrences(store, made.series.id)] == [
        (week(0), BookingStatus.APPROVED),
        (week(1), BookingStatus.CANCELLED),
        (week(1), BookingStatus.APPROVED),
        (week(2), BookingStatus.CANCELLED),
    ]


@pytest.mark.parametrize(
    "day",
    [SECOND, date(2030, 1, 16), date(2030, 1, 29)],
    ids=["booked-already", "not-a-date-of-the-series", "after-the-last"],
)
async def test_a_date_neither_skipped_nor_cancelled_is_an_invalid_date(
    create_series: CreateSeries,
    add_occurrence: AddOccurrence,
    store: MemoryStore,
    student: User,
    room: Room,
    day: date,
) -> None:
    made = await create_series(student, series_of(room))
    before = everything(store)

    with pytest.raises(InvalidValue) as error:
        await add_occurrence(student, made.series.id, day)

    assert error.value.field == "date"
    assert everything(store) == before


async def test_a_date_still_blocked_is_refused_and_stays_skipped(
    create_series: CreateSeries,
    add_occurrence: AddOccurrence,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    add_booking(store, room, week(1), by=other_student)
    made = await create_series(student, series_of(room, on_conflict=OnConflict.SKIP))
    before = everything(store)

    with pytest.raises(SeriesBlocked) as error:
        await add_occurrence(student, made.series.id, SECOND)

    assert error.value.clashes is True
    assert [b.slot for b in error.value.blocked] == [week(1)]
    assert everything(store) == before


async def test_a_date_booked_back_by_staff_is_the_requesters(
    create_series: CreateSeries,
    cancel_series: CancelSeries,
    add_occurrence: AddOccurrence,
    store: MemoryStore,
    student: User,
    staff: User,
    room: Room,
) -> None:
    made = await create_series(student, series_of(room))
    await cancel_series(student, made.series.id, since=SECOND)

    view = await add_occurrence(staff, made.series.id, SECOND)

    assert {b.requester_id for b in view.occurrences} == {student.id}
