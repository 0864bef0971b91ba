"""Signed-in people of each role, and a clock that only moves when a test says so."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.adapters.clock import FixedClock
from campus_booking.container import Container
from tests.e2e.actors import Actor, Actors, fix_clock


@pytest.fixture(autouse=True)
def clock(container: Container) -> FixedClock:
    return fix_clock(container)


@pytest.fixture
def actors(client: AsyncTestClient[Any], container: Container, clock: FixedClock) -> Actors:
    return Actors(client, container, clock)


@pytest.fixture
async def admin(actors: Actors) -> Actor:
    return await actors.admin()


@pytest.fixture
async def staff(actors: Actors) -> Actor:
    return await actors.staff()


@pytest.fixture
async def student(actors: Actors) -> Actor:
    return await actors.student()


@pytest.fixture
async def other(actors: Actors) -> Actor:
    """A second student."""
    return await actors.student("other")
