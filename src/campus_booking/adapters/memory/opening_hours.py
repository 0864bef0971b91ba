"""Opening hours in memory: per room, replaced whole, handed out as fresh copies."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from campus_booking.application.publishing import EventPublisher
from campus_booking.domain.opening_hours import OpeningHours


class MemoryOpeningHoursRepository:
    def __init__(self, rows: dict[UUID, OpeningHours], events: EventPublisher) -> None:
        self._rows = rows
        self._events = events

    async def get(self, room_id: UUID) -> OpeningHours:
        stored = self._rows.get(room_id)
        if stored is None:
            return self._events.seen(OpeningHours(room_id))
        return self._events.seen(OpeningHours(room_id, stored.weekly, stored.exceptions))

    async def between(self, room_id: UUID, first: date, last: date) -> OpeningHours:
        hours = await self.get(room_id)
        exceptions = tuple(e for e in hours.exceptions if first <= e.on <= last)
        return self._events.seen(OpeningHours(room_id, hours.weekly, exceptions))

    async def replace(self, hours: OpeningHours) -> None:
        self._events.seen(hours)
        self._rows[hours.room_id] = OpeningHours(hours.room_id, hours.weekly, hours.exceptions)
