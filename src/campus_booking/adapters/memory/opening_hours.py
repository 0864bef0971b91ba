"""Opening hours in memory: per room, replaced whole, handed out as fresh copies."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from campus_booking.adapters.memory.rooms import selected_ids
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import RoomSelection
from campus_booking.domain.opening_hours import OpeningHours
from campus_booking.domain.rooms import Room


class MemoryOpeningHoursRepository:
    def __init__(
        self,
        rows: dict[UUID, OpeningHours],
        events: EventPublisher,
        *,
        rooms: dict[UUID, Room] | None = None,
    ) -> None:
        self._rows = rows
        self._events = events
        self._rooms = rooms if rooms is not None else {}

    async def get(self, room_id: UUID) -> OpeningHours:
        stored = self._rows.get(room_id)
        if stored is None:
            return self._events.seen(OpeningHours(room_id))
        return self._events.seen(OpeningHours(room_id, stored.weekly, stored.exceptions))

    async def between(self, room_id: UUID, first: date, last: date) -> OpeningHours:
        hours = await self.get(room_id)
        exceptions = tuple(e for e in hours.exceptions if first <= e.on <= last)
        return self._events.seen(OpeningHours(room_id, hours.weekly, exceptions))

    async def of_rooms(
        self, selection: RoomSelection, first: date, last: date
    ) -> dict[UUID, OpeningHours]:
        chosen = selected_ids(self._rooms, selection)
        return {
            room_id: await self.between(room_id, first, last)
            for room_id in sorted(chosen & self._rows.keys())
        }

    async def replace(self, hours: OpeningHours) -> None:
        self._events.seen(hours)
        self._rows[hours.room_id] = OpeningHours(hours.room_id, hours.weekly, hours.exceptions)
