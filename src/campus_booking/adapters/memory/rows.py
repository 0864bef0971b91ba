"""What every in-memory repository of entities does: rows by id, handed out as copies."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Generic, TypeVar
from uuid import UUID

from campus_booking.application.publishing import EventPublisher
from campus_booking.domain.booking_policies import BookingPolicy
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User

T = TypeVar("T", User, Room, Booking, Closure, BookingPolicy)


class Rows(Generic[T]):
    """Copies in and out, so that an entity changes in the store only when it is saved.

    A copy holds no events: a row is state, and what happened to it was published when it
    was saved. What is handed out and taken in is noted, as the SQL repositories do.
    """

    def __init__(self, rows: dict[UUID, T], events: EventPublisher) -> None:
        self._rows: dict[UUID, T] = rows
        self._events = events

    async def get(self, entity_id: UUID, *, lock: bool = False) -> T | None:
        return self._handed_out(self._rows.get(entity_id))

    async def save(self, entity: T) -> None:
        self._rows[entity.id] = _copy(self._events.seen(entity))

    def _handed_out(self, entity: T | None) -> T | None:
        return self._events.seen(_copy(entity)) if entity is not None else None

    def _all_handed_out(self, entities: Iterable[T]) -> list[T]:
        return self._events.seen_all([_copy(entity) for entity in entities])


def _copy(entity: T) -> T:
    copied = copy.deepcopy(entity)
    copied.events.clear()
    return copied
