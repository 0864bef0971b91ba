"""The booking use-cases, wired to the memory store and the stopped clock."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    CreateBooking,
    DecideBooking,
)
from campus_booking.application.ports import UnitOfWorkFactory
from tests.unit.application.booking_requests import RULES


@pytest.fixture
def create(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateBooking:
    return CreateBooking(uow, clock, RULES)


@pytest.fixture
def change(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeBooking:
    return ChangeBooking(uow, clock, RULES)


@pytest.fixture
def cancel(uow: UnitOfWorkFactory, clock: FixedClock) -> CancelBooking:
    return CancelBooking(uow, clock)


@pytest.fixture
def decide(uow: UnitOfWorkFactory, clock: FixedClock) -> DecideBooking:
    return DecideBooking(uow, clock)
