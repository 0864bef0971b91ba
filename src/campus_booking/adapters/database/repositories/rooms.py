"""Rooms, each with its feature tags, read in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import Select, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.integrity import refusing_duplicates
from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.repositories.room_selection import (
    FilterShape,
    SelectionShape,
    filter_conditions,
    filter_parameters,
    selected_conditions,
    selection_of,
    shape_of,
)
from campus_booking.adapters.database.tables import bookings, room_features, rooms
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest, RoomFilter, RoomSelection
from campus_booking.domain.errors import Unique
from campus_booking.domain.rooms import Room

# A room's features come as one column of comma-separated tags (a tag never holds a comma),
# so a room, or a page of rooms, is one statement.
FEATURE_SEPARATOR = ","
ROOM_FEATURES = (
    select(func.aggregate_strings(room_features.c.feature, FEATURE_SEPARATOR))
    .where(room_features.c.room_id == rooms.c.id)
    .scalar_subquery()
    .label("features")
)
ROOM_BY_ID = select(rooms, ROOM_FEATURES).where(rooms.c.id == bindparam("room_id"))
# PostgreSQL: FOR NO KEY UPDATE, so writers of one room's bookings take turns and each sees
# the one before (waiting on each other's uncommitted rows instead can deadlock). Foreign keys
# only need KEY SHARE, so nothing else waits. SQLite's IMMEDIATE transactions already run one
# at a time.
ROOM_BY_ID_LOCKED = ROOM_BY_ID.with_for_update(of=rooms, key_share=True)
ROOM_OF_BOOKING_LOCKED = (
    select(rooms, ROOM_FEATURES)
    .where(
        rooms.c.id
        == select(bookings.c.room_id)
        .where(bookings.c.id == bindparam("booking_id"))
        .scalar_subquery()
    )
    .with_for_update(of=rooms, key_share=True)
)


@cache
def _listing(shape: FilterShape) -> Listing:
    """The listing for one shape of `RoomFilter`: which of its filters are set."""
    query = select(rooms).where(*filter_conditions(shape)).order_by(rooms.c.name, rooms.c.id)
    return Listing.of(query, page_columns=[ROOM_FEATURES])


@cache
def _selected(shape: SelectionShape) -> Select[Any]:
    """Best fit first: the smallest room that holds everyone, then by name."""
    return (
        select(rooms, ROOM_FEATURES)
        .where(*selected_conditions(shape))
        .order_by(rooms.c.capacity, rooms.c.name, rooms.c.id)
    )


class SqlRoomRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events  # notes what is handed out and taken in

    async def add(self, room: Room) -> None:
        self._events.seen(room)
        with refusing_duplicates(Unique.ROOM_NAME):
            await self._connection.execute(insert(rooms), _room_row(room))
        await self._write_features(room)

    async def get(self, room_id: UUID, *, lock: bool = False) -> Room | None:
        query = ROOM_BY_ID_LOCKED if lock else ROOM_BY_ID
        row = (await self._connection.execute(query, {"room_id": room_id})).first()
        return self._events.seen(_room_from(row)) if row else None

    async def lock_of_booking(self, booking_id: UUID) -> Room | None:
        result = await self._connection.execute(ROOM_OF_BOOKING_LOCKED, {"booking_id": booking_id})
        row = result.first()
        return self._events.seen(_room_from(row)) if row else None

    async def search(self, filter: RoomFilter, page: PageRequest) -> Page[Room]:
        listing = _listing(shape_of(filter))
        rows, total = await listing.fetch(self._connection, filter_parameters(filter), page)
        return Page([_room_from(row) for row in rows], total, page.limit, page.offset)

    async def selected(self, selection: RoomSelection) -> list[Room]:
        shape, parameters = selection_of(selection)
        result = await self._connection.execute(_selected(shape), parameters)
        return self._events.seen_all([_room_from(row) for row in result])

    async def save(self, room: Room) -> None:
        self._events.seen(room)
        with refusing_duplicates(Unique.ROOM_NAME):
            await self._connection.execute(
                update(rooms).where(rooms.c.id == room.id).values(_room_row(room))
            )
        await self._connection.execute(
            delete(room_features).where(room_features.c.room_id == room.id)
        )
        await self._write_features(room)

    async def _write_features(self, room: Room) -> None:
        if room.features:
            await self._connection.execute(
                insert(room_features),
                [{"room_id": room.id, "feature": tag} for tag in sorted(room.features)],
            )


def _room_row(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "building": room.building,
        "capacity": room.capacity,
        "requires_approval": room.requires_approval,
        "is_active": room.is_active,
        "created_at": room.created_at,
        "time_zone": room.time_zone,
        "policy_id": room.policy_id,
    }


def _room_from(row: Sequence[Any]) -> Room:
    """A row of the `rooms` columns, in table order, then `ROOM_FEATURES`."""
    (
        room_id,
        name,
        building,
        capacity,
        requires_approval,
        is_active,
        created_at,
        zone,
        policy_id,
        features,
    ) = row
    return Room(
        id=room_id,
        name=name,
        building=building,
        capacity=capacity,
        features=frozenset(features.split(FEATURE_SEPARATOR) if features else ()),
        requires_approval=requires_approval,
        is_active=is_active,
        time_zone=zone,
        policy_id=policy_id,
        created_at=created_at,
    )
