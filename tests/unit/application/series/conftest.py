"""The series use-cases, wired to the memory store, the stopped clock, the suite's rules and
the real recurrence expander."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.adapters.recurrence.dateutil_expander import expand_recurrence
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.series import (
    AddOccurrence,
    CancelSeries,
    ChangeSeries,
    CreateSeries,
    DecideSeries,
    GetSeries,
    ListSeries,
    PreviewSeries,
)
from campus_booking.domain.rooms import Room
from tests.unit.application.booking_requests import RULES
from tests.unit.builders import add_room


@pytest.fixture
def create_series(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateSeries:
    return CreateSeries(uow, clock, RULES, expand_recurrence)


@pytest.fixture
def preview_series(uow: UnitOfWorkFactory, clock: FixedClock) -> PreviewSeries:
    return PreviewSeries(uow, clock, RULES, expand_recurrence)


@pytest.fixture
def change_series(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeSeries:
    return ChangeSeries(uow, clock, RULES, expand_recurrence)


@pytest.fixture
def add_occurrence(uow: UnitOfWorkFactory, clock: FixedClock) -> AddOccurrence:
    return AddOccurrence(uow, clock, RULES, expand_recurrence)


@pytest.fixture
def decide_series(uow: UnitOfWorkFactory, clock: FixedClock) -> DecideSeries:
    return DecideSeries(uow, clock)


@pytest.fixture
def cancel_series(uow: UnitOfWorkFactory, clock: FixedClock) -> CancelSeries:
    return CancelSeries(uow, clock)


@pytest.fixture
def get_series(uow: UnitOfWorkFactory, clock: FixedClock) -> GetSeries:
    return GetSeries(uow, clock)


@pytest.fixture
def list_series(uow: UnitOfWorkFactory, clock: FixedClock) -> ListSeries:
    return ListSeries(uow, clock)


@pytest.fixture
def berlin_room(store: MemoryStore) -> Room:
    """Berlin keeps summer time from 2030-03-31 to 2030-10-27."""
    return add_room(store, "B-204", capacity=10, time_zone="Europe/Berlin")
