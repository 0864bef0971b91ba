"""Closures: written under their room's lock, and read by every booking of the room."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.integrity import (
    refusing_closures_over_bookings,
)
from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.repositories.room_selection import (
    SelectionShape,
    selected_ids,
    selection_of,
)
from campus_booking.adapters.database.tables import closures
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import ClosureFilter, Page, PageRequest, RoomSelection
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.time_slots import TimeSlot

INSERT_CLOSURE = insert(closures)
DELETE_CLOSURE = delete(closures).where(closures.c.id == bindparam("closure_id"))
CLOSURE_BY_ID = select(closures).where(closures.c.id == bindparam("closure_id"))
# Read by every booking request: the (room_id, ends_at) index bounds it to the room's closures
# that end after the slot starts.
OVERLAPPING = (
    select(closures)
    .where(
        closures.c.room_id == bindparam("room_id"),
        closures.c.ends_at > bindparam("start"),
        closures.c.starts_at < bindparam("end"),
    )
    .order_by(closures.c.starts_at, closures.c.id)
)


@cache
def _in_rooms(shape: SelectionShape) -> Any:
    return (
        select(closures)
        .where(
            closures.c.room_id.in_(selected_ids(shape)),
            closures.c.ends_at > bindparam("start"),
            closures.c.starts_at < bindparam("end"),
        )
        .order_by(closures.c.starts_at, closures.c.id)
    )


@cache
def _listing(*, by_room: bool, ending_after: bool, starting_before: bool) -> Listing:
    """The listing for one shape of `ClosureFilter`: which of its filters are set."""
    query = select(closures).order_by(closures.c.starts_at, closures.c.id)
    if by_room:
        query = query.where(closures.c.room_id == bindparam("room_id"))
    if ending_after:
        query = query.where(closures.c.ends_at > bindparam("ends_after"))
    if starting_before:
        query = query.where(closures.c.starts_at < bindparam("starts_before"))
    return Listing.of(query)


class SqlClosureRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events  # notes what is handed out and taken in

    async def add(self, closure: Closure) -> None:
        self._events.seen(closure)
        with refusing_closures_over_bookings():
            await self._connection.execute(INSERT_CLOSURE, _closure_row(closure))

    async def get(self, closure_id: UUID) -> Closure | None:
        row = (await self._connection.execute(CLOSURE_BY_ID, {"closure_id": closure_id})).first()
        return self._events.seen(_closure_from(row)) if row else None

    async def delete(self, closure: Closure) -> None:
        self._events.seen(closure)
        await self._connection.execute(DELETE_CLOSURE, {"closure_id": closure.id})

    async def overlapping(self, room_id: UUID, slot: TimeSlot) -> list[Closure]:
        params = {"room_id": room_id, "start": slot.start, "end": slot.end}
        result = await self._connection.execute(OVERLAPPING, params)
        return self._events.seen_all([_closure_from(row) for row in result])

    async def search(self, filter: ClosureFilter, page: PageRequest) -> Page[Closure]:
        listing = _listing(
            by_room=filter.room_id is not None,
            ending_after=filter.ends_after is not None,
            starting_before=filter.starts_before is not None,
        )
        parameters = {
            "room_id": filter.room_id,
            "ends_after": filter.ends_after,
            "starts_before": filter.starts_before,
        }
        rows, total = await listing.fetch(self._connection, parameters, page)
        return Page([_closure_from(row) for row in rows], total, page.limit, page.offset)

    async def in_rooms(self, selection: RoomSelection, period: Period) -> list[Closure]:
        shape, parameters = selection_of(selection)
        parameters.update(start=period.start, end=period.end)
        result = await self._connection.execute(_in_rooms(shape), parameters)
        return self._events.seen_all([_closure_from(row) for row in result])


def _closure_row(closure: Closure) -> dict[str, Any]:
    return {
        "id": closure.id,
        "room_id": closure.room_id,
        "starts_at": closure.period.start,
        "ends_at": closure.period.end,
        "reason": closure.reason,
        "created_by": closure.created_by,
        "created_at": closure.created_at,
    }


def _closure_from(row: Sequence[Any]) -> Closure:
    """A row of the `closures` columns, in table order."""
    closure_id, room_id, starts_at, ends_at, reason, created_by, created_at = row
    return Closure(
        id=closure_id,
        room_id=room_id,
        period=Period(starts_at, ends_at),
        reason=reason,
        created_by=created_by,
        created_at=created_at,
    )
