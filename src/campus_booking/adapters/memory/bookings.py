"""Bookings in memory; an active booking overlapping another or a closure of its room is
refused on write, as by the schema."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from uuid import UUID

from campus_booking.adapters.memory.closures import closed_at
from campus_booking.adapters.memory.paging import page_of
from campus_booking.adapters.memory.rooms import selected_ids
from campus_booking.adapters.memory.rows import Rows
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import BookingFilter, Page, PageRequest, RoomSelection
from campus_booking.domain.booking_checks import Usage
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.errors import SlotTaken
from campus_booking.domain.overlap import find_conflicts
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot


class MemoryBookingRepository(Rows[Booking]):
    def __init__(
        self,
        rows: dict[UUID, Booking],
        closures: dict[UUID, Closure],
        events: EventPublisher,
        *,
        rooms: dict[UUID, Room] | None = None,
    ) -> None:
        super().__init__(rows, events)
        self._closures = closures
        self._rooms = rooms if rooms is not None else {}

    async def add(self, booking: Booking) -> None:
        await self.save(booking)

    async def save(self, booking: Booking) -> None:
        if booking.is_active and await self.overlapping(
            booking.room_id, booking.slot, ignore=booking.id
        ):
            raise SlotTaken()
        if closed_at(self._closures, booking):
            raise SlotTaken()
        await super().save(booking)

    async def add_many(self, bookings: Sequence[Booking]) -> None:
        await self.save_many(bookings)

    async def save_many(self, bookings: Sequence[Booking]) -> None:
        """One after another, each checked against those before it, as the database checks
        the rows of one statement; a refusal leaves none of them stored."""
        before = dict(self._rows)
        try:
            for booking in bookings:
                await self.save(booking)
        except SlotTaken:
            self._rows.clear()
            self._rows.update(before)
            raise

    async def of_series(self, series_ids: Sequence[UUID], *, lock: bool = False) -> list[Booking]:
        wanted = set(series_ids)
        matches = (booking for booking in self._rows.values() if booking.series_id in wanted)
        return self._all_handed_out(sorted(matches, key=_by_start))

    async def in_feed(
        self, requester_id: UUID | None, room_id: UUID | None, period: Period
    ) -> list[Booking]:
        if (requester_id is None) == (room_id is None):
            raise ValueError("A feed is of a requester or of a room: give one of the two.")
        matches = (
            booking
            for booking in self._rows.values()
            if (booking.room_id == room_id or booking.requester_id == requester_id)
            and period.overlaps(booking.slot)
        )
        return self._all_handed_out(sorted(matches, key=_by_start))

    async def times_within(self, room_id: UUID, period: Period) -> list[TimeSlot]:
        matches = (
            booking
            for booking in self._rows.values()
            if booking.room_id == room_id and booking.is_active and period.overlaps(booking.slot)
        )
        return [booking.slot for booking in sorted(matches, key=_by_start)]

    async def search(self, filter: BookingFilter, page: PageRequest) -> Page[Booking]:
        matches = [
            booking
            for booking in sorted(self._rows.values(), key=_by_start)
            if (filter.requester_id is None or booking.requester_id == filter.requester_id)
            and (filter.room_id is None or booking.room_id == filter.room_id)
            and (not filter.statuses or booking.status in filter.statuses)
            and (filter.ends_after is None or booking.slot.end > filter.ends_after)
            and (filter.starts_before is None or booking.slot.start < filter.starts_before)
        ]
        return page_of(matches, page)

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        return self._all_handed_out(
            find_conflicts(slot, self._rows.values(), room_id=room_id, ignore=ignore)
        )

    async def active_from(
        self, room_id: UUID, instant: datetime, *, lock: bool = False
    ) -> list[Booking]:
        return self._active_after(instant, lambda booking: booking.room_id == room_id)

    async def active_within(self, room_id: UUID, period: Period) -> list[Booking]:
        matches = (
            booking
            for booking in self._rows.values()
            if booking.room_id == room_id and booking.is_active and period.overlaps(booking.slot)
        )
        return self._all_handed_out(sorted(matches, key=_by_start))

    async def count_active_of_requester(self, requester_id: UUID, instant: datetime) -> int:
        return len(await self.active_of_requester(requester_id, instant))

    async def overlapping_and_count_of_requester(
        self, room_id: UUID, slot: TimeSlot, requester_id: UUID, instant: datetime
    ) -> tuple[list[Booking], int]:
        return (
            await self.overlapping(room_id, slot),
            await self.count_active_of_requester(requester_id, instant),
        )

    async def active_of_requester(self, requester_id: UUID, instant: datetime) -> list[Booking]:
        return self._active_after(instant, lambda booking: booking.requester_id == requester_id)

    async def usage_of_requester(
        self,
        requester_id: UUID,
        policy_id: UUID | None,
        window: tuple[datetime, datetime] | None,
        now: datetime,
        *,
        ignore: UUID | None = None,
    ) -> Usage:
        under = [
            booking
            for booking in self._rows.values()
            if booking.requester_id == requester_id
            and booking.is_active
            and booking.id != ignore
            and booking.room_id in self._rooms
            and self._rooms[booking.room_id].policy_id == policy_id
        ]
        return Usage(
            slots=[
                b.slot
                for b in sorted(under, key=_by_start)
                if window is not None and b.slot.start < window[1] and window[0] < b.slot.end
            ],
            upcoming=sum(1 for booking in under if booking.slot.end > now),
        )

    async def active_in_rooms(self, selection: RoomSelection, period: Period) -> list[Booking]:
        chosen = selected_ids(self._rooms, selection)
        matches = (
            booking
            for booking in self._rows.values()
            if booking.room_id in chosen and booking.is_active and period.overlaps(booking.slot)
        )
        return self._all_handed_out(sorted(matches, key=_by_start))

    async def times_in_rooms(
        self, selection: RoomSelection, period: Period
    ) -> list[tuple[UUID, TimeSlot, BookingStatus]]:
        booked = await self.active_in_rooms(selection, period)
        return [(booking.room_id, booking.slot, booking.status) for booking in booked]

    async def held_by_requester(
        self, requester_id: UUID, since: datetime
    ) -> list[tuple[UUID | None, TimeSlot]]:
        return [
            (self._rooms[booking.room_id].policy_id, booking.slot)
            for booking in self._active_after(since, lambda b: b.requester_id == requester_id)
        ]

    def _active_after(self, instant: datetime, among: Callable[[Booking], bool]) -> list[Booking]:
        """Copies of the active bookings `among` those that end after `instant`, by start."""
        matches = (
            booking
            for booking in self._rows.values()
            if among(booking) and booking.is_active and booking.slot.end > instant
        )
        return self._all_handed_out(sorted(matches, key=_by_start))


def _by_start(booking: Booking) -> tuple[datetime, str]:
    """The SQL repositories' order: by start, ties broken by id."""
    return booking.slot.start, str(booking.id)
