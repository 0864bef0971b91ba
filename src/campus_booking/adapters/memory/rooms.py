"""Rooms in memory; a name is unique whatever its letter case, as in the database."""

from __future__ import annotations

from uuid import UUID

from campus_booking.adapters.memory.paging import page_of
from campus_booking.adapters.memory.rows import Rows
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest, RoomFilter, RoomSelection
from campus_booking.domain.bookings import Booking
from campus_booking.domain.errors import AlreadyExists, Unique
from campus_booking.domain.rooms import Room


class MemoryRoomRepository(Rows[Room]):
    def __init__(
        self, rows: dict[UUID, Room], bookings: dict[UUID, Booking], events: EventPublisher
    ) -> None:
        super().__init__(rows, events)
        self._bookings = bookings

    async def add(self, room: Room) -> None:
        await self.save(room)

    async def save(self, room: Room) -> None:
        if any(
            other.name.casefold() == room.name.casefold() and other.id != room.id
            for other in self._rows.values()
        ):
            raise AlreadyExists(Unique.ROOM_NAME)
        await super().save(room)

    async def lock_of_booking(self, booking_id: UUID) -> Room | None:
        booking = self._bookings.get(booking_id)
        return await self.get(booking.room_id) if booking else None

    async def search(self, filter: RoomFilter, page: PageRequest) -> Page[Room]:
        matches = [
            room
            for room in sorted(self._rows.values(), key=lambda room: (room.name, str(room.id)))
            if _matches(filter, room)
        ]
        return page_of(matches, page)

    async def selected(self, selection: RoomSelection) -> list[Room]:
        chosen = selected_ids(self._rows, selection)
        rooms = sorted(
            (room for room in self._rows.values() if room.id in chosen),
            key=lambda room: (room.capacity, room.name, str(room.id)),
        )
        return self._all_handed_out(rooms)


def selected_ids(rooms: dict[UUID, Room], selection: RoomSelection) -> set[UUID]:
    """The ids of the rooms a selection covers, as the SQL subquery finds them."""
    if selection.filter is None:
        return {room_id for room_id in selection.room_ids if room_id in rooms}
    return {room.id for room in rooms.values() if _matches(selection.filter, room)}


def _matches(filter: RoomFilter, room: Room) -> bool:
    return (
        (filter.include_inactive or room.is_active)
        and (filter.min_capacity is None or room.capacity >= filter.min_capacity)
        and (filter.building is None or room.building == filter.building)
        and filter.features <= room.features
    )
