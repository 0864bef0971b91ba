"""What every in-memory repository of entities does: rows by id, handed out as copies."""

from __future__ import annotations

import copy
from typing import Generic, TypeVar
from uuid import UUID

from campus_booking.domain.bookings import Booking
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User

T = TypeVar("T", User, Room, Booking)


class Rows(Generic[T]):
    """Copies in and out, so that an entity changes in the store only when it is saved."""

    def __init__(self, rows: dict[UUID, T]) -> None:
        self._rows: dict[UUID, T] = rows

    async def get(self, entity_id: UUID, *, lock: bool = False) -> T | None:
        return copy.deepcopy(self._rows.get(entity_id))

    async def save(self, entity: T) -> None:
        self._rows[entity.id] = copy.deepcopy(entity)
