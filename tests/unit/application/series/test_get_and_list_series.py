"""GetSeries and ListSeries: a student sees their own series, staff everyone's, each with its
occurrences."""

from __future__ import annotations

from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.queries import PageRequest, SeriesFilter
from campus_booking.application.series import CreateSeries, GetSeries, ListSeries
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import NotFound
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import SeriesStatus
from campus_booking.domain.users import User
from tests.unit.application.series.series_requests import series_of, utc, week


async def test_the_requester_gets_their_series_with_its_occurrences_by_start(
    create_series: CreateSeries, get_series: GetSeries, student: User, room: Room
) -> None:
    made = await create_series(student, series_of(room))

    view = await get_series(student, made.series.id)

    assert view.series.id == made.series.id
    assert [b.slot for b in view.occurrences] == [week(0), week(1), week(2)]
    assert view.status is SeriesStatus.APPROVED


async def test_another_students_series_and_an_unknown_one_are_not_found(
    create_series: CreateSeries,
    get_series: GetSeries,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    made = await create_series(student, series_of(room))

    with pytest.raises(NotFound):
        await get_series(other_student, made.series.id)
    with pytest.raises(NotFound):
        await get_series(student, uuid4())


async def test_staff_get_any_series(
    create_series: CreateSeries, get_series: GetSeries, student: User, staff: User, room: Room
) -> None:
    made = await create_series(student, series_of(room))

    view = await get_series(staff, made.series.id)

    assert len(view.occurrences) == 3


async def test_a_student_lists_only_their_own_series_whatever_they_ask(
    create_series: CreateSeries,
    list_series: ListSeries,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    mine = await create_series(student, series_of(room))
    await create_series(other_student, series_of(room, hours=1, starts_at=utc(2030, 1, 9, 10)))

    page = await list_series(student, SeriesFilter(requester_id=other_student.id), PageRequest())

    assert [view.series.id for view in page.items] == [mine.series.id]
    assert page.total == 1


async def test_staff_list_every_series_each_with_its_own_occurrences(
    create_series: CreateSeries,
    list_series: ListSeries,
    student: User,
    other_student: User,
    staff: User,
    room: Room,
) -> None:
    made = [
        await create_series(student, series_of(room)),
        await create_series(
            other_student, series_of(room, "FREQ=DAILY;COUNT=2", starts_at=utc(2030, 1, 9, 10))
        ),
    ]

    page = await list_series(staff, SeriesFilter(), PageRequest())

    listed = {view.series.id: [b.id for b in view.occurrences] for view in page.items}
    assert listed == {view.series.id: [b.id for b in view.occurrences] for view in made}
    assert page.total == 2


async def test_an_occurrence_that_ended_undecided_no_longer_makes_the_series_pending(
    create_series: CreateSeries,
    get_series: GetSeries,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    approval_room: Room,
) -> None:
    """What staff can still decide is what PENDING invites them to: an ended occurrence
    cannot be decided any more, so only its series' other occurrences say what it is."""
    made = await create_series(student, series_of(approval_room))
    first, *rest = sorted(made.occurrences, key=lambda booking: booking.slot.start)
    for booking in rest:
        store.bookings[booking.id].status = BookingStatus.REJECTED

    assert (await get_series(student, made.series.id)).status is SeriesStatus.PENDING
    clock.set(week(0).end)
    assert (await get_series(student, made.series.id)).status is SeriesStatus.REJECTED
    for booking in rest:
        store.bookings[booking.id].status = BookingStatus.PENDING
    clock.set(week(2).end)
    assert (await get_series(student, made.series.id)).status is SeriesStatus.PENDING  # all lapsed
    assert first.status is BookingStatus.PENDING
