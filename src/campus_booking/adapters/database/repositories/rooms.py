"""Rooms, each with its feature tags, read in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.integrity import refusing_duplicates
from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.tables import bookings, room_features, rooms
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest, RoomFilter
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
def _listing(
    *, active_only: bool, by_capacity: bool, by_building: bool, by_features: bool
) -> Listing:
    """The listing for one shape of `RoomFilter`: which of its filters are set."""
    query = select(rooms).order_by(rooms.c.name, rooms.c.id)
    if active_only:
        query = query.where(rooms.c.is_active.is_(True))
    if by_capacity:
        query = query.where(rooms.c.capacity >= bindparam("min_capacity"))
    if by_building:
        query = query.where(rooms.c.building == bindparam("building"))
    if by_features:
        having_all = (
            select(room_features.c.room_id)
            .where(room_features.c.feature.in_(bindparam("features", expanding=True)))
            .group_by(room_features.c.room_id)
            .having(func.count() == bindparam("feature_count"))
        )
        query = query.where(rooms.c.id.in_(having_all))
    return Listing.of(query, page_columns=[ROOM_FEATURES])


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
        listing = _listing(
            active_only=not filter.include_inactive,
            by_capacity=filter.min_capacity is not None,
            by_building=filter.building is not None,
            by_features=bool(filter.features),
        )
        parameters = {
            "min_capacity": filter.min_capacity,
            "building": filter.building,
            "features": sorted(filter.features),
            "feature_count": len(filter.features),
        }
        rows, total = await listing.fetch(self._connection, parameters, page)
        return Page([_room_from(row) for row in rows], total, page.limit, page.offset)

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
