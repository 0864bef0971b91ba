"""An in-memory unit of work with real commit and rollback semantics.

Each unit of work edits a copy of the store and publishes it on commit, so a use-case
that raises half-way leaves the store exactly as it found it, as a database would.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType
from typing import Generic, Self, TypeVar
from uuid import UUID

from campus_booking.domain.bookings import Booking
from campus_booking.domain.errors import Conflict
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User


@dataclass
class MemoryStore:
    users: dict[UUID, User] = field(default_factory=dict)
    rooms: dict[UUID, Room] = field(default_factory=dict)
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    commits: int = 0


T = TypeVar("T", User, Room, Booking)


class _Repository(Generic[T]):
    def __init__(self, rows: dict[UUID, T]) -> None:
        self._rows: dict[UUID, T] = rows

    async def get(self, entity_id: UUID) -> T | None:
        return copy.deepcopy(self._rows.get(entity_id))

    async def save(self, entity: T) -> None:
        self._rows[entity.id] = copy.deepcopy(entity)


class MemoryUserRepository(_Repository[User]):
    async def add(self, user: User) -> None:
        if any(other.email == user.email for other in self._rows.values()):
            raise Conflict("An account with this email already exists.")
        await self.save(user)

    async def get_by_email(self, email: str) -> User | None:
        found = next((user for user in self._rows.values() if user.email == email), None)
        return copy.deepcopy(found)


class MemoryRoomRepository(_Repository[Room]):
    async def add(self, room: Room) -> None:
        if any(other.name.casefold() == room.name.casefold() for other in self._rows.values()):
            raise Conflict("A room with this name already exists.")
        await self.save(room)


class MemoryBookingRepository(_Repository[Booking]):
    async def add(self, booking: Booking) -> None:
        await self.save(booking)


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, *, read_only: bool = False) -> None:
        self._store = store
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        self._begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.rollback()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("A read-only unit of work cannot commit.")
        self._store.users = self._working.users
        self._store.rooms = self._working.rooms
        self._store.bookings = self._working.bookings
        self._store.commits += 1
        self._begin()

    async def rollback(self) -> None:
        self._begin()

    def _begin(self) -> None:
        self._working = copy.deepcopy(self._store)
        self.users = MemoryUserRepository(self._working.users)
        self.rooms = MemoryRoomRepository(self._working.rooms)
        self.bookings = MemoryBookingRepository(self._working.bookings)
