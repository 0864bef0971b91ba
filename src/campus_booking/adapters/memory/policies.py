"""Booking policies in memory; a name is unique whatever its letter case, as in the database."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from campus_booking.adapters.memory.paging import page_of
from campus_booking.adapters.memory.rows import Rows
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest
from campus_booking.domain.booking_policies import BookingPolicy
from campus_booking.domain.errors import AlreadyExists, Conflict, Unique
from campus_booking.domain.rooms import Room


class MemoryBookingPolicyRepository(Rows[BookingPolicy]):
    def __init__(
        self, rows: dict[UUID, BookingPolicy], rooms: dict[UUID, Room], events: EventPublisher
    ) -> None:
        super().__init__(rows, events)
        self._rooms = rooms

    async def add(self, policy: BookingPolicy) -> None:
        await self.save(policy)

    async def save(self, policy: BookingPolicy) -> None:
        if any(
            other.name.casefold() == policy.name.casefold() and other.id != policy.id
            for other in self._rows.values()
        ):
            raise AlreadyExists(Unique.POLICY_NAME)
        await super().save(policy)

    async def delete(self, policy: BookingPolicy) -> None:
        if any(room.policy_id == policy.id for room in self._rooms.values()):
            raise Conflict("Rooms still follow this policy; give them another one first.")
        self._events.seen(policy)
        del self._rows[policy.id]

    async def get_many(self, policy_ids: Iterable[UUID]) -> list[BookingPolicy]:
        return self._all_handed_out(
            [
                self._rows[policy_id]
                for policy_id in sorted(set(policy_ids))
                if policy_id in self._rows
            ]
        )

    async def search(self, page: PageRequest) -> Page[BookingPolicy]:
        matches = sorted(self._rows.values(), key=lambda policy: (policy.name, str(policy.id)))
        return page_of(matches, page)
