"""Closures in memory; one over an active booking of its room is refused, as by the schema."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from campus_booking.adapters.memory.paging import page_of
from campus_booking.adapters.memory.rooms import selected_ids
from campus_booking.adapters.memory.rows import Rows
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import ClosureFilter, Page, PageRequest, RoomSelection
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.errors import BookingsInTheWay
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot


class MemoryClosureRepository(Rows[Closure]):
    def __init__(
        self,
        rows: dict[UUID, Closure],
        bookings: dict[UUID, Booking],
        events: EventPublisher,
        *,
        rooms: dict[UUID, Room] | None = None,
    ) -> None:
        super().__init__(rows, events)
        self._bookings = bookings
        self._rooms = rooms if rooms is not None else {}

    async def in_rooms(self, selection: RoomSelection, period: Period) -> list[Closure]:
        chosen = selected_ids(self._rooms, selection)
        matches = (
            c for c in self._rows.values() if c.room_id in chosen and period.overlaps(c.period)
        )
        return self._all_handed_out(sorted(matches, key=lambda c: (c.period.start, str(c.id))))

    async def add(self, closure: Closure) -> None:
        if any(
            booking.room_id == closure.room_id
            and booking.is_active
            and closure.period.overlaps(booking.slot)
            for booking in self._bookings.values()
        ):
            raise BookingsInTheWay()
        await self.save(closure)

    async def delete(self, closure: Closure) -> None:
        self._events.seen(closure)
        self._rows.pop(closure.id, None)

    async def overlapping(self, room_id: UUID, slot: TimeSlot) -> list[Closure]:
        return self._all_handed_out(
            sorted(
                (
                    c
                    for c in self._rows.values()
                    if c.room_id == room_id and c.period.overlaps(slot)
                ),
                key=_by_start,
            )
        )

    async def search(self, filter: ClosureFilter, page: PageRequest) -> Page[Closure]:
        matches = [
            closure
            for closure in sorted(self._rows.values(), key=_by_start)
            if (filter.room_id is None or closure.room_id == filter.room_id)
            and (filter.ends_after is None or closure.period.end > filter.ends_after)
            and (filter.starts_before is None or closure.period.start < filter.starts_before)
        ]
        return page_of(matches, page)


def closed_at(closures: dict[UUID, Closure], booking: Booking) -> bool:
    """Whether a closure of the booking's room overlaps it: the schema refuses that write."""
    return booking.is_active and any(
        closure.room_id == booking.room_id and closure.period.overlaps(booking.slot)
        for closure in closures.values()
    )


def _by_start(closure: Closure) -> tuple[datetime, str]:
    """The SQL repository's order: by start, ties broken by id."""
    return closure.period.start, str(closure.id)
