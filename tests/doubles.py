"""Test doubles shared by the unit tests (over the memory fakes) and the integration tests (over
the SQL repositories)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from campus_booking.application.ports import BookingRepository
from campus_booking.domain.bookings import Booking
from campus_booking.domain.time_slots import TimeSlot


class BlindOverlapCheck:
    """A bookings repository whose overlap check finds nothing, as in a lost race.

    Its writes still refuse overlaps, as the database constraint (or the memory fake's guard)
    does: this is what a request sees when a rival booking commits between its check and its
    write.
    """

    def __init__(self, inner: BookingRepository) -> None:
        self._inner = inner

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        return []

    async def overlapping_and_count_of_requester(
        self, room_id: UUID, slot: TimeSlot, requester_id: UUID, instant: datetime
    ) -> tuple[list[Booking], int]:
        return [], await self._inner.count_active_of_requester(requester_id, instant)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
