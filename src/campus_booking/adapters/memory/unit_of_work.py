"""An in-memory unit of work with real commit and rollback semantics.

Each unit of work edits a snapshot of the store and publishes it whole on commit, so a
use-case that raises half-way leaves the store exactly as it found it, as a database would.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Self
from uuid import UUID

from campus_booking.adapters.memory.audit import MemoryAuditRepository
from campus_booking.adapters.memory.bookings import MemoryBookingRepository
from campus_booking.adapters.memory.calendar_feeds import MemoryCalendarFeedRepository
from campus_booking.adapters.memory.closures import MemoryClosureRepository
from campus_booking.adapters.memory.idempotency_keys import MemoryIdempotencyKeyRepository
from campus_booking.adapters.memory.opening_hours import MemoryOpeningHoursRepository
from campus_booking.adapters.memory.policies import MemoryBookingPolicyRepository
from campus_booking.adapters.memory.rooms import MemoryRoomRepository
from campus_booking.adapters.memory.series import MemoryBookingSeriesRepository
from campus_booking.adapters.memory.store import MemoryStore
from campus_booking.adapters.memory.users import MemoryUserRepository
from campus_booking.application.publishing import DEFAULT_HANDLERS, EventHandler, EventPublisher


class MemoryUnitOfWork:
    def __init__(
        self,
        store: MemoryStore,
        *,
        read_only: bool = False,
        handlers: Iterable[EventHandler] = DEFAULT_HANDLERS,
    ) -> None:
        self._store = store
        self._read_only = read_only
        self._events = EventPublisher(handlers)
        self._held: set[tuple[UUID, str]] = set()

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
        await self._events.publish(self)  # into the snapshot, so it commits with the change
        self._store.publish(self._working)
        self._begin()

    async def rollback(self) -> None:
        self._begin()

    def _begin(self) -> None:
        """A fresh transaction: the keys the last one held are let go."""
        self._events.drop()
        self._store.held_keys -= self._held
        self._held = set()
        self._working = self._store.snapshot()
        self.users = MemoryUserRepository(self._working.users, self._events)
        self.rooms = MemoryRoomRepository(self._working.rooms, self._working.bookings, self._events)
        self.bookings = MemoryBookingRepository(
            self._working.bookings,
            self._working.closures,
            self._events,
            rooms=self._working.rooms,
        )
        self.closures = MemoryClosureRepository(
            self._working.closures, self._working.bookings, self._events, rooms=self._working.rooms
        )
        self.opening_hours = MemoryOpeningHoursRepository(
            self._working.opening_hours, self._events, rooms=self._working.rooms
        )
        self.policies = MemoryBookingPolicyRepository(
            self._working.policies, self._working.rooms, self._events
        )
        self.audit = MemoryAuditRepository(self._working.audit)
        self.series = MemoryBookingSeriesRepository(self._working.series, self._events)
        self.feeds = MemoryCalendarFeedRepository(self._working.feeds)
        self.idempotency_keys = MemoryIdempotencyKeyRepository(
            self._working.idempotency_keys, self._store.held_keys, self._held
        )
