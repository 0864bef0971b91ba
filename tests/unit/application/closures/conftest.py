"""The closure use-cases, wired to the memory store and the stopped clock."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.application.closures import CreateClosures, DeleteClosure
from campus_booking.application.ports import UnitOfWorkFactory


@pytest.fixture
def close(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateClosures:
    return CreateClosures(uow, clock)


@pytest.fixture
def reopen(uow: UnitOfWorkFactory, clock: FixedClock) -> DeleteClosure:
    return DeleteClosure(uow, clock)
