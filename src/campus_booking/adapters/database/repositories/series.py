"""Booking series: one row each; its occurrences are bookings (see bookings.py).

The dates left out and the occurrences skipped are JSON text, read and written whole with the
series: nothing searches inside them, so a table of their own would only cost a statement.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.tables import booking_series
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest, SeriesFilter
from campus_booking.domain.errors import Violation
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.series import Blocked, BookingSeries
from campus_booking.domain.time_slots import TimeSlot

INSERT_SERIES = insert(booking_series)
# "s_id": a bind named after a column would clash with the SET clause it fills.
UPDATE_SERIES = update(booking_series).where(booking_series.c.id == bindparam("s_id"))
SERIES_BY_ID = select(booking_series).where(booking_series.c.id == bindparam("series_id"))
# PostgreSQL: FOR NO KEY UPDATE, so that occurrences written meanwhile (their foreign key
# takes KEY SHARE) do not wait on it.
SERIES_BY_ID_LOCKED = SERIES_BY_ID.with_for_update(key_share=True)
# By id: the order of the primary key read.
SERIES_BY_IDS = (
    select(booking_series)
    .where(booking_series.c.id.in_(bindparam("series_ids", expanding=True)))
    .order_by(booking_series.c.id)
)


@cache
def _listing(*, by_requester: bool, by_room: bool) -> Listing:
    """The listing for one shape of `SeriesFilter`, newest first: read off the index of the
    filter's column and created_at, or of (created_at, id) without one."""
    query = select(booking_series).order_by(
        booking_series.c.created_at.desc(), booking_series.c.id.desc()
    )
    if by_requester:
        query = query.where(booking_series.c.requester_id == bindparam("requester_id"))
    if by_room:
        query = query.where(booking_series.c.room_id == bindparam("room_id"))
    return Listing.of(query)


class SqlBookingSeriesRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events  # notes what is handed out and taken in

    async def add(self, series: BookingSeries) -> None:
        self._events.seen(series)
        await self._connection.execute(INSERT_SERIES, _series_row(series))

    async def get(self, series_id: UUID, *, lock: bool = False) -> BookingSeries | None:
        query = SERIES_BY_ID_LOCKED if lock else SERIES_BY_ID
        row = (await self._connection.execute(query, {"series_id": series_id})).first()
        return self._events.seen(_series_from(row)) if row else None

    async def save(self, series: BookingSeries) -> None:
        self._events.seen(series)
        row = _series_row(series)
        row["s_id"] = row.pop("id")
        await self._connection.execute(UPDATE_SERIES, row)

    async def get_many(self, series_ids: Sequence[UUID]) -> list[BookingSeries]:
        ids = sorted(set(series_ids))
        if not ids:
            return []
        result = await self._connection.execute(SERIES_BY_IDS, {"series_ids": ids})
        return self._events.seen_all([_series_from(row) for row in result])

    async def search(self, filter: SeriesFilter, page: PageRequest) -> Page[BookingSeries]:
        listing = _listing(
            by_requester=filter.requester_id is not None, by_room=filter.room_id is not None
        )
        parameters = {"requester_id": filter.requester_id, "room_id": filter.room_id}
        rows, total = await listing.fetch(self._connection, parameters, page)
        return Page([_series_from(row) for row in rows], total, page.limit, page.offset)


def _series_row(series: BookingSeries) -> dict[str, Any]:
    return {
        "id": series.id,
        "room_id": series.room_id,
        "requester_id": series.requester_id,
        "title": series.title,
        "attendees": series.attendees,
        "time_zone": series.time_zone,
        "recurrence": str(series.recurrence),
        "exdates": _json([day.isoformat() for day in series.exdates]),
        "starts_at": series.first.start,
        "ends_at": series.first.end,
        "skipped": _json([_blocked_json(blocked) for blocked in series.skipped]),
        "created_at": series.created_at,
    }


def _series_from(row: Sequence[Any]) -> BookingSeries:
    """A row of the `booking_series` columns, in table order."""
    (
        series_id,
        room_id,
        requester_id,
        title,
        attendees,
        time_zone,
        recurrence,
        exdates,
        starts_at,
        ends_at,
        skipped,
        created_at,
    ) = row
    return BookingSeries(
        id=series_id,
        room_id=room_id,
        requester_id=requester_id,
        title=title,
        attendees=attendees,
        time_zone=time_zone,
        recurrence=Recurrence.parse(recurrence),
        exdates=tuple(date.fromisoformat(day) for day in json.loads(exdates)),
        first=TimeSlot(starts_at, ends_at),
        skipped=[_blocked_from(blocked) for blocked in json.loads(skipped)],
        created_at=created_at,
    )


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def _instant_from(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _blocked_json(blocked: Blocked) -> dict[str, Any]:
    return {
        "starts_at": _instant(blocked.slot.start),
        "ends_at": _instant(blocked.slot.end),
        "conflicts": [[_instant(start), _instant(end)] for start, end in blocked.conflicts],
        "closures": [
            [_instant(start), _instant(end), reason] for start, end, reason in blocked.closures
        ],
        "violations": [
            {
                "code": violation.code,
                "field": violation.field,
                "message": violation.message,
                "details": dict(violation.details),
            }
            for violation in blocked.violations
        ],
    }


def _blocked_from(data: dict[str, Any]) -> Blocked:
    return Blocked(
        slot=TimeSlot(_instant_from(data["starts_at"]), _instant_from(data["ends_at"])),
        conflicts=tuple(
            (_instant_from(start), _instant_from(end)) for start, end in data["conflicts"]
        ),
        closures=tuple(
            (_instant_from(start), _instant_from(end), reason)
            for start, end, reason in data["closures"]
        ),
        violations=tuple(
            Violation(
                code=violation["code"],
                field=violation["field"],
                message=violation["message"],
                details=violation["details"],
            )
            for violation in data["violations"]
        ),
    )
