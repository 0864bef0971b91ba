"""DecideSeries: staff approve or reject every PENDING occurrence still to come, at once."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.series import CreateSeries, DecideSeries, SeriesView
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidTransition, InvalidValue, PermissionDenied
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import SeriesStatus
from campus_booking.domain.users import User
from tests.unit.application.series.series_requests import (
    HOUR,
    everything,
    occurrences,
    series_of,
    week,
)
from tests.unit.builders import NOW

PENDING, APPROVED, REJECTED = BookingStatus.PENDING, BookingStatus.APPROVED, BookingStatus.REJECTED


@pytest.fixture
async def pending(create_series: CreateSeries, student: User, approval_room: Room) -> SeriesView:
    """A student's three Tuesdays in a room that needs approval: PENDING each."""
    return await create_series(student, series_of(approval_room))


def statuses(store: MemoryStore, view: SeriesView) -> list[BookingStatus]:
    return [booking.status for booking in occurrences(store, view.series.id)]


async def test_approving_approves_every_pending_occurrence_saying_who_when_and_why(
    decide_series: DecideSeries, store: MemoryStore, staff: User, pending: SeriesView
) -> None:
    view = await decide_series.approve(staff, pending.series.id, "  Enjoy ")

    stored = occurrences(store, pending.series.id)
    assert {(b.status, b.decided_by, b.decided_at, b.decision_reason) for b in stored} == {
        (APPROVED, staff.id, NOW, "Enjoy")
    }
    assert view.status is SeriesStatus.APPROVED
    assert store.commits == 2  # the series, then the decision


async def test_rejecting_rejects_every_pending_occurrence(
    decide_series: DecideSeries, store: MemoryStore, staff: User, pending: SeriesView
) -> None:
    view = await decide_series.reject(staff, pending.series.id, "Exams that week")

    assert statuses(store, pending) == [REJECTED] * 3
    assert {b.decision_reason for b in occurrences(store, pending.series.id)} == {"Exams that week"}
    assert view.status is SeriesStatus.REJECTED


async def test_occurrences_that_have_ended_are_left_as_they_are(
    decide_series: DecideSeries,
    clock: FixedClock,
    store: MemoryStore,
    staff: User,
    pending: SeriesView,
) -> None:
    clock.set(week(1).start + HOUR)  # the first is over, the second under way

    await decide_series.approve(staff, pending.series.id)

    assert statuses(store, pending) == [PENDING, APPROVED, APPROVED]


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_student_may_not_decide_a_series_even_their_own(
    decide_series: DecideSeries,
    store: MemoryStore,
    student: User,
    pending: SeriesView,
    decision: str,
) -> None:
    before = everything(store)

    with pytest.raises(PermissionDenied):
        await getattr(decide_series, decision)(student, pending.series.id, "Mine")

    assert everything(store) == before


async def test_rejecting_needs_a_reason(
    decide_series: DecideSeries, store: MemoryStore, staff: User, pending: SeriesView
) -> None:
    before = everything(store)

    with pytest.raises(InvalidValue) as error:
        await decide_series.reject(staff, pending.series.id, "   ")

    assert error.value.field == "reason"
    assert everything(store) == before


async def test_a_series_with_no_pending_occurrence_left_cannot_be_decided(
    decide_series: DecideSeries, store: MemoryStore, staff: User, pending: SeriesView
) -> None:
    await decide_series.approve(staff, pending.series.id)
    before = everything(store)

    with pytest.raises(InvalidTransition):
        await decide_series.reject(staff, pending.series.id, "Changed my mind")

    assert everything(store) == before
