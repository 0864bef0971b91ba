"""Opening hours: one row per window (or per date closed all day), replaced whole."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import bindparam, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.room_selection import (
    SelectionShape,
    selected_ids,
    selection_of,
)
from campus_booking.adapters.database.tables import opening_hours
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import RoomSelection
from campus_booking.domain.opening_hours import DateException, OpeningHours, WeeklyWindow, Window

_COLUMNS = (
    opening_hours.c.weekday,
    opening_hours.c.on_date,
    opening_hours.c.opens,
    opening_hours.c.closes,
)
_ORDER = (
    opening_hours.c.weekday,
    opening_hours.c.on_date,
    opening_hours.c.opens,
)
HOURS_OF_ROOM = (
    select(*_COLUMNS).where(opening_hours.c.room_id == bindparam("room_id")).order_by(*_ORDER)
)
HOURS_BETWEEN = (
    select(*_COLUMNS)
    .where(
        opening_hours.c.room_id == bindparam("room_id"),
        or_(
            opening_hours.c.on_date.is_(None),
            opening_hours.c.on_date.between(bindparam("first"), bindparam("last")),
        ),
    )
    .order_by(*_ORDER)
)


@cache
def _of_rooms(shape: SelectionShape) -> Any:
    return (
        select(opening_hours.c.room_id, *_COLUMNS)
        .where(
            opening_hours.c.room_id.in_(selected_ids(shape)),
            or_(
                opening_hours.c.on_date.is_(None),
                opening_hours.c.on_date.between(bindparam("first"), bindparam("last")),
            ),
        )
        .order_by(opening_hours.c.room_id, *_ORDER)
    )


DELETE_HOURS = delete(opening_hours).where(opening_hours.c.room_id == bindparam("room_id"))
INSERT_HOURS = insert(opening_hours)


class SqlOpeningHoursRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events

    async def get(self, room_id: UUID) -> OpeningHours:
        result = await self._connection.execute(HOURS_OF_ROOM, {"room_id": room_id})
        return self._events.seen(_hours_from(room_id, result.all()))

    async def between(self, room_id: UUID, first: date, last: date) -> OpeningHours:
        result = await self._connection.execute(
            HOURS_BETWEEN, {"room_id": room_id, "first": first, "last": last}
        )
        return self._events.seen(_hours_from(room_id, result.all()))

    async def of_rooms(
        self, selection: RoomSelection, first: date, last: date
    ) -> dict[UUID, OpeningHours]:
        shape, parameters = selection_of(selection)
        parameters.update(first=first, last=last)
        rows_by_room: dict[UUID, list[Any]] = {}
        for room_id, *row in await self._connection.execute(_of_rooms(shape), parameters):
            rows_by_room.setdefault(room_id, []).append(row)
        return {
            room_id: self._events.seen(_hours_from(room_id, rows))
            for room_id, rows in rows_by_room.items()
        }

    async def replace(self, hours: OpeningHours) -> None:
        self._events.seen(hours)
        await self._connection.execute(DELETE_HOURS, {"room_id": hours.room_id})
        rows = _rows_of(hours)
        if rows:
            await self._connection.execute(INSERT_HOURS, rows)


def _rows_of(hours: OpeningHours) -> list[dict[str, Any]]:
    def row(weekday: int | None, on: date | None, window: Window | None) -> dict[str, Any]:
        return {
            "id": uuid4(),
            "room_id": hours.room_id,
            "weekday": weekday,
            "on_date": on,
            "opens": window.opens if window else None,
            "closes": window.closes if window else None,
        }

    rows = [row(w.weekday, None, w.window) for w in hours.weekly]
    for exception in hours.exceptions:
        rows += [row(None, exception.on, w) for w in exception.windows] or [
            row(None, exception.on, None)
        ]
    return rows


def _hours_from(room_id: UUID, rows: Sequence[Any]) -> OpeningHours:
    weekly: list[WeeklyWindow] = []
    dates: dict[date, list[Window]] = {}
    for weekday, on, opens, closes in rows:
        if weekday is not None:
            weekly.append(WeeklyWindow(weekday, Window(opens, closes)))
        else:
            windows = dates.setdefault(on, [])
            if opens is not None:
                windows.append(Window(opens, closes))
    exceptions = tuple(DateException(on, tuple(ws)) for on, ws in sorted(dates.items()))
    return OpeningHours(room_id, tuple(weekly), exceptions)
