"""An in-memory unit of work with real commit and rollback semantics.

Each unit of work edits a copy of the store and publishes it on commit, so a use-case
that raises half-way leaves the store exactly as it found it, as a database would.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Generic, Self, TypeVar
from uuid import UUID

from campus_booking.application.queries import (
    AuditFilter,
    BookingFilter,
    Page,
    PageRequest,
    RoomFilter,
    UserFilter,
)
from campus_booking.domain.audit import AuditEntry
from campus_booking.domain.bookings import Booking
from campus_booking.domain.errors import Conflict, SlotTaken
from campus_booking.domain.overlap import find_conflicts
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User


@dataclass
class MemoryStore:
    users: dict[UUID, User] = field(default_factory=dict)
    rooms: dict[UUID, Room] = field(default_factory=dict)
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    commits: int = 0


T = TypeVar("T", User, Room, Booking)


class _Repository(Generic[T]):
    def __init__(self, rows: dict[UUID, T]) -> None:
        self._rows: dict[UUID, T] = rows

    async def get(self, entity_id: UUID, *, lock: bool = False) -> T | None:
        return copy.deepcopy(self._rows.get(entity_id))

    async def save(self, entity: T) -> None:
        self._rows[entity.id] = copy.deepcopy(entity)

    def _page(self, matches: list[T], page: PageRequest) -> Page[T]:
        items = matches[page.offset : page.offset + page.limit]
        return Page(copy.deepcopy(items), len(matches), page.limit, page.offset)


class MemoryUserRepository(_Repository[User]):
    async def add(self, user: User) -> None:
        if any(other.email == user.email for other in self._rows.values()):
            raise Conflict("An account with this email already exists.")
        await self.save(user)

    async def get_by_email(self, email: str) -> User | None:
        found = next((user for user in self._rows.values() if user.email == email), None)
        return copy.deepcopy(found)

    async def search(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        text = (filter.text or "").casefold()
        matches = [
            user
            for user in sorted(self._rows.values(), key=lambda user: user.email)
            if (filter.role is None or user.role is filter.role)
            and (text in user.email.casefold() or text in user.full_name.casefold())
        ]
        return self._page(matches, page)

    async def lock_admins_and(self, user_ids: Iterable[UUID]) -> list[User]:
        named = set(user_ids)
        return copy.deepcopy(
            sorted(
                (
                    user
                    for user in self._rows.values()
                    if user.id in named or (user.role is Role.ADMIN and user.is_active)
                ),
                key=lambda user: user.id,
            )
        )


class MemoryRoomRepository(_Repository[Room]):
    def __init__(self, rows: dict[UUID, Room], bookings: dict[UUID, Booking]) -> None:
        super().__init__(rows)
        self._bookings = bookings

    async def add(self, room: Room) -> None:
        await self.save(room)

    async def save(self, room: Room) -> None:
        if any(
            other.name.casefold() == room.name.casefold() and other.id != room.id
            for other in self._rows.values()
        ):
            raise Conflict("A room with this name already exists.")
        await super().save(room)

    async def lock_of_booking(self, booking_id: UUID) -> Room | None:
        booking = self._bookings.get(booking_id)
        return await self.get(booking.room_id) if booking else None

    async def search(self, filter: RoomFilter, page: PageRequest) -> Page[Room]:
        matches = [
            room
            for room in sorted(self._rows.values(), key=lambda room: (room.name, str(room.id)))
            if (filter.include_inactive or room.is_active)
            and (filter.min_capacity is None or room.capacity >= filter.min_capacity)
            and (filter.building is None or room.building == filter.building)
            and filter.features <= room.features
        ]
        return self._page(matches, page)


class MemoryBookingRepository(_Repository[Booking]):
    """Refuses overlapping active bookings on write, as the database schema does."""

    async def add(self, booking: Booking) -> None:
        await self.save(booking)

    async def save(self, booking: Booking) -> None:
        if booking.is_active and await self.overlapping(
            booking.room_id, booking.slot, ignore=booking.id
        ):
            raise SlotTaken()
        await super().save(booking)

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
        return self._page(matches, page)

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        return copy.deepcopy(
            find_conflicts(slot, self._rows.values(), room_id=room_id, ignore=ignore)
        )

    async def active_from(
        self, room_id: UUID, instant: datetime, *, lock: bool = False
    ) -> list[Booking]:
        return copy.deepcopy(
            sorted(
                (
                    booking
                    for booking in self._rows.values()
                    if booking.room_id == room_id
                    and booking.is_active
                    and booking.slot.end > instant
                ),
                key=_by_start,
            )
        )

    async def count_active_of_requester(self, requester_id: UUID, instant: datetime) -> int:
        return len(await self.active_of_requester(requester_id, instant))

    async def active_of_requester(self, requester_id: UUID, instant: datetime) -> list[Booking]:
        return copy.deepcopy(
            sorted(
                (
                    booking
                    for booking in self._rows.values()
                    if booking.requester_id == requester_id
                    and booking.is_active
                    and booking.slot.end > instant
                ),
                key=_by_start,
            )
        )


class MemoryAuditRepository:
    def __init__(self, entries: list[AuditEntry]) -> None:
        self._entries = entries

    async def add(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    async def search(self, filter: AuditFilter, page: PageRequest) -> Page[AuditEntry]:
        matches = [
            entry
            for entry in sorted(self._entries, key=lambda entry: entry.at, reverse=True)
            if (filter.entity is None or entry.entity is filter.entity)
            and (filter.entity_id is None or entry.entity_id == filter.entity_id)
            and (filter.actor_id is None or entry.actor_id == filter.actor_id)
            and (filter.since is None or entry.at >= filter.since)
            and (filter.until is None or entry.at < filter.until)
        ]
        items = matches[page.offset : page.offset + page.limit]
        return Page(copy.deepcopy(items), len(matches), page.limit, page.offset)


def _by_start(booking: Booking) -> tuple[datetime, str]:
    return booking.slot.start, str(booking.id)


class MemoryUnitOfWork:
    def __init__(self, store: MemoryStore, *, read_only: bool = False) -> None:
        self._store = store
        self._read_only = read_only

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
        self._store.users = self._working.users
        self._store.rooms = self._working.rooms
        self._store.bookings = self._working.bookings
        self._store.audit = self._working.audit
        self._store.commits += 1
        self._begin()

    async def rollback(self) -> None:
        self._begin()

    def _begin(self) -> None:
        self._working = copy.deepcopy(self._store)
        self.users = MemoryUserRepository(self._working.users)
        self.rooms = MemoryRoomRepository(self._working.rooms, self._working.bookings)
        self.bookings = MemoryBookingRepository(self._working.bookings)
        self.audit = MemoryAuditRepository(self._working.audit)
