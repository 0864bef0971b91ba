"""The use-cases' surroundings, in memory: a store, units of work on it, a stopped clock, a
hasher and tokens, and the people and rooms most tests are given."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.conftest import TEST_SECRET
from tests.unit.application.fakes import FakeHasher
from tests.unit.builders import NOW, add_room, add_user


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def uow(store: MemoryStore) -> UnitOfWorkFactory:
    return lambda **kw: MemoryUnitOfWork(store, **kw)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def hasher() -> FakeHasher:
    return FakeHasher()


@pytest.fixture
def tokens(clock: FixedClock) -> JwtTokenService:
    return JwtTokenService(
        secret=TEST_SECRET, ttl_seconds=900, issuer="iss", audience="aud", clock=clock
    )


@pytest.fixture
def student(store: MemoryStore) -> User:
    return add_user(store, Role.STUDENT)


@pytest.fixture
def other_student(store: MemoryStore) -> User:
    return add_user(store, Role.STUDENT)


@pytest.fixture
def staff(store: MemoryStore) -> User:
    return add_user(store, Role.STAFF)


@pytest.fixture
def admin(store: MemoryStore) -> User:
    return add_user(store, Role.ADMIN, email="root@uni.edu", full_name="Root")


@pytest.fixture
def room(store: MemoryStore) -> Room:
    return add_room(store, "Oak", capacity=10)


@pytest.fixture
def approval_room(store: MemoryStore) -> Room:
    return add_room(store, "Council Chamber", capacity=10, requires_approval=True)
