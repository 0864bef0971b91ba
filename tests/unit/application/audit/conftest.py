"""What the audit-trail tests are given beyond the shared fixtures: equipped rooms, a trail
that is not empty, and a sign-up that is never throttled."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.auth import RegisterUser
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.throttling import RegistrationThrottle
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.rooms import Room
from tests.unit.application.audit.entries import snapshot
from tests.unit.application.fakes import FakeHasher
from tests.unit.builders import EARLIER, add_room

FEATURES = frozenset({"projector", "audio"})  # so that a room's entries show its features


@pytest.fixture
def room(store: MemoryStore) -> Room:
    return add_room(store, "Oak", features=FEATURES)


@pytest.fixture
def approval_room(store: MemoryStore) -> Room:
    return add_room(store, "Council", features=FEATURES, requires_approval=True)


@pytest.fixture
def register_user(uow: UnitOfWorkFactory, clock: FixedClock) -> RegisterUser:
    """Throttled generously: these tests are about what a sign-up writes, not how often."""
    throttle = RegistrationThrottle(
        MemoryFailureCounter(window_seconds=300, clock=clock), per_client=1000
    )
    return RegisterUser(uow, FakeHasher(), clock, throttle)


@pytest.fixture
def seeded(store: MemoryStore) -> list[dict[str, Any]]:
    """An entry already in the trail, so that 'unchanged' means more than 'still empty'."""
    store.audit.append(
        AuditEntry(
            at=EARLIER,
            actor_id=None,
            entity=Entity.ROOM,
            entity_id=uuid4(),
            action=Action.CREATED,
            before=None,
            after={"name": "Old"},
        )
    )
    return snapshot(store)
