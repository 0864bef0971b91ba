"""CancelSeries: every occurrence still to come, or those from a local date on."""

from __future__ import annotations

from datetime import date

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.series import CancelSeries, CreateSeries, SeriesView
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidTransition, NotFound
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import SeriesStatus
from campus_booking.domain.users import User
from tests.unit.application.series.series_requests import (
    HOUR,
    everything,
    occurrences,
    series_of,
    utc,
    week,
)

APPROVED, CANCELLED = BookingStatus.APPROVED, BookingStatus.CANCELLED


@pytest.fixture
async def made(create_series: CreateSeries, student: User, room: Room) -> SeriesView:
    """A student's three Tuesdays, approved."""
    return await create_series(student, series_of(room))


def statuses(store: MemoryStore, view: SeriesView) -> list[BookingStatus]:
    return [booking.status for booking in occurrences(store, view.series.id)]


async def test_cancelling_cancels_every_upcoming_occurrence(
    cancel_series: CancelSeries, store: MemoryStore, student: User, made: SeriesView
) -> None:
    view = await cancel_series(student, made.series.id)

    assert statuses(store, made) == [CANCELLED] * 3
    assert view.status is SeriesStatus.CANCELLED
    assert store.commits == 2


async def test_an_occurrence_that_has_started_is_not_cancelled(
    cancel_series: CancelSeries,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    made: SeriesView,
) -> None:
    clock.set(week(0).start + HOUR)

    await cancel_series(student, made.series.id)

    assert statuses(store, made) == [APPROVED, CANCELLED, CANCELLED]


async def test_cancelling_from_a_date_keeps_the_occurrences_before_it(
    cancel_series: CancelSeries, store: MemoryStore, student: User, made: SeriesView
) -> None:
    await cancel_series(student, made.series.id, since=date(2030, 1, 15))

    assert statuses(store, made) == [APPROVED, CANCELLED, CANCELLED]


async def test_the_date_to_cancel_from_is_local_to_the_series(
    create_series: CreateSeries,
    cancel_series: CancelSeries,
    store: MemoryStore,
    student: User,
    berlin_room: Room,
) -> None:
    """00:30 on Tuesdays in Berlin is 23:30Z on Mondays: from Tuesday 15th is from 23:30Z
    on Monday 14th."""
    made = await create_series(student, series_of(berlin_room, starts_at=utc(2030, 1, 7, 23, 30)))

    await cancel_series(student, made.series.id, since=date(2030, 1, 15))

    assert statuses(store, made) == [APPROVED, CANCELLED, CANCELLED]


async def test_another_students_series_is_not_found(
    cancel_series: CancelSeries, store: MemoryStore, other_student: User, made: SeriesView
) -> None:
    before = everything(store)

    with pytest.raises(NotFound):
        await cancel_series(other_student, made.series.id)

    assert everything(store) == before


async def test_staff_may_cancel_a_students_series(
    cancel_series: CancelSeries, store: MemoryStore, staff: User, made: SeriesView
) -> None:
    await cancel_series(staff, made.series.id)

    stored = occurrences(store, made.series.id)
    assert [b.status for b in stored] == [CANCELLED] * 3
    assert {b.requester_id for b in stored} == {made.series.requester_id}


async def test_a_series_with_nothing_left_to_cancel_is_an_invalid_transition(
    cancel_series: CancelSeries, store: MemoryStore, student: User, made: SeriesView
) -> None:
    await cancel_series(student, made.series.id)
    before = everything(store)

    with pytest.raises(InvalidTransition):
        await cancel_series(student, made.series.id)

    assert everything(store) == before


async def test_a_series_whose_occurrences_have_all_started_has_nothing_to_cancel(
    cancel_series: CancelSeries,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    made: SeriesView,
) -> None:
    clock.set(week(2).start)

    with pytest.raises(InvalidTransition):
        await cancel_series(student, made.series.id)

    assert statuses(store, made) == [APPROVED] * 3
