"""Bookings: the overlap checks and the locks of the booking paths, as prepared statements."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    and_,
    bindparam,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.integrity import refusing_overlaps
from campus_booking.adapters.database.repositories.paging import page_of
from campus_booking.adapters.database.tables import bookings
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import BookingFilter, Page, PageRequest
from campus_booking.domain.bookings import ACTIVE_STATUSES, Booking, BookingStatus
from campus_booking.domain.time_slots import TimeSlot, lookback_start

ACTIVE = [status.value for status in ACTIVE_STATUSES]
# Written into the SQL rather than bound: a list of values is an expanding parameter, which
# SQLAlchemy renders anew on every execution.
_IS_ACTIVE = bookings.c.status.in_([literal_column(f"'{status}'") for status in ACTIVE])
INSERT_BOOKING = insert(bookings)

_ACTIVE_IN_ROOM = (
    select(bookings)
    .where(
        bookings.c.room_id == bindparam("room_id"),
        _IS_ACTIVE,
        # Bookings last at most a day: a lower bound on the start lets the index bound the scan.
        bookings.c.starts_at > bindparam("lookback"),
    )
    .order_by(bookings.c.starts_at)
)
ACTIVE_FROM = _ACTIVE_IN_ROOM.where(bookings.c.ends_at > bindparam("start"))
ACTIVE_FROM_LOCKED = ACTIVE_FROM.with_for_update(key_share=True)
OVERLAPPING = ACTIVE_FROM.where(bookings.c.starts_at < bindparam("end"))
OVERLAPPING_OTHERS = OVERLAPPING.where(bookings.c.id != bindparam("ignore"))
BOOKING_BY_ID = select(bookings).where(bookings.c.id == bindparam("booking_id"))
BOOKING_BY_ID_LOCKED = BOOKING_BY_ID.with_for_update(key_share=True)

# A requester's upcoming active bookings, found through the requester_id index. Ordered like
# the room's (`ACTIVE_FROM`), so that two cancellations over overlapping sets of bookings (a
# room's and a user's) lock their rows in the same order.
_ACTIVE_OF_REQUESTER = and_(
    bookings.c.requester_id == bindparam("requester_id"),
    _IS_ACTIVE,
    bookings.c.ends_at > bindparam("instant"),
)
COUNT_ACTIVE_OF_REQUESTER = select(func.count()).where(_ACTIVE_OF_REQUESTER)
ACTIVE_OF_REQUESTER = (
    select(bookings)
    .where(_ACTIVE_OF_REQUESTER)
    .order_by(bookings.c.starts_at, bookings.c.id)
    .with_for_update(key_share=True)  # they are cancelled and written back
)
# A student's booking request needs both the slot's clashes and the student's count: one
# statement, so one round trip. Each clash comes with the count; when nothing overlaps, the
# count comes alone, on a row whose booking columns are NULL.
_HELD = select(func.count().label("held")).where(_ACTIVE_OF_REQUESTER).subquery("held")
OVERLAPPING_AND_HELD = (
    select(_HELD.c.held, bookings)
    .select_from(_HELD.outerjoin(bookings, OVERLAPPING.whereclause))
    .order_by(bookings.c.starts_at)
)


class SqlBookingRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events  # notes what is handed out and taken in

    async def add(self, booking: Booking) -> None:
        self._events.seen(booking)
        with refusing_overlaps():
            await self._connection.execute(INSERT_BOOKING, _booking_row(booking))

    async def get(self, booking_id: UUID, *, lock: bool = False) -> Booking | None:
        query = BOOKING_BY_ID_LOCKED if lock else BOOKING_BY_ID
        result = await self._connection.execute(query, {"booking_id": booking_id})
        row = result.mappings().first()
        return self._events.seen(_booking_from(row)) if row else None

    async def save(self, booking: Booking) -> None:
        self._events.seen(booking)
        with refusing_overlaps():
            await self._connection.execute(
                update(bookings).where(bookings.c.id == booking.id).values(_booking_row(booking))
            )

    async def search(self, filter: BookingFilter, page: PageRequest) -> Page[Booking]:
        conditions: list[ColumnElement[bool]] = []
        if filter.requester_id is not None:
            conditions.append(bookings.c.requester_id == filter.requester_id)
        if filter.room_id is not None:
            conditions.append(bookings.c.room_id == filter.room_id)
        if filter.statuses:
            conditions.append(bookings.c.status.in_(sorted(s.value for s in filter.statuses)))
        if filter.ends_after is not None:
            conditions.append(bookings.c.ends_at > filter.ends_after)
            conditions.append(bookings.c.starts_at > lookback_start(filter.ends_after))
        if filter.starts_before is not None:
            conditions.append(bookings.c.starts_at < filter.starts_before)
        query = select(bookings).where(and_(True, *conditions))
        rows, total = await page_of(
            self._connection, query.order_by(bookings.c.starts_at, bookings.c.id), page
        )
        return Page([_booking_from(row) for row in rows], total, page.limit, page.offset)

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        params = _overlap_params(room_id, slot)
        if ignore is None:
            result = await self._connection.execute(OVERLAPPING, params)
        else:
            result = await self._connection.execute(
                OVERLAPPING_OTHERS, {**params, "ignore": ignore}
            )
        return self._events.seen_all([_booking_from(row) for row in result.mappings()])

    async def active_from(
        self, room_id: UUID, instant: datetime, *, lock: bool = False
    ) -> list[Booking]:
        params = {"room_id": room_id, "lookback": lookback_start(instant), "start": instant}
        result = await self._connection.execute(ACTIVE_FROM_LOCKED if lock else ACTIVE_FROM, params)
        return self._events.seen_all([_booking_from(row) for row in result.mappings()])

    async def count_active_of_requester(self, requester_id: UUID, instant: datetime) -> int:
        params = {"requester_id": requester_id, "instant": instant}
        return await self._connection.scalar(COUNT_ACTIVE_OF_REQUESTER, params) or 0

    async def overlapping_and_count_of_requester(
        self, room_id: UUID, slot: TimeSlot, requester_id: UUID, instant: datetime
    ) -> tuple[list[Booking], int]:
        params = {
            **_overlap_params(room_id, slot),
            "requester_id": requester_id,
            "instant": instant,
        }
        rows = (await self._connection.execute(OVERLAPPING_AND_HELD, params)).all()
        clashes = [_booking_from(row._mapping) for row in rows if row.id is not None]
        return self._events.seen_all(clashes), rows[0].held

    async def active_of_requester(self, requester_id: UUID, instant: datetime) -> list[Booking]:
        params = {"requester_id": requester_id, "instant": instant}
        result = await self._connection.execute(ACTIVE_OF_REQUESTER, params)
        return self._events.seen_all([_booking_from(row) for row in result.mappings()])


def _overlap_params(room_id: UUID, slot: TimeSlot) -> dict[str, Any]:
    return {
        "room_id": room_id,
        "lookback": lookback_start(slot.start),
        "start": slot.start,
        "end": slot.end,
    }


def _booking_row(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "room_id": booking.room_id,
        "requester_id": booking.requester_id,
        "starts_at": booking.slot.start,
        "ends_at": booking.slot.end,
        "title": booking.title,
        "attendees": booking.attendees,
        "status": booking.status.value,
        "decided_by": booking.decided_by,
        "decided_at": booking.decided_at,
        "decision_reason": booking.decision_reason,
        "created_at": booking.created_at,
    }


def _booking_from(row: RowMapping) -> Booking:
    return Booking(
        id=row["id"],
        room_id=row["room_id"],
        requester_id=row["requester_id"],
        slot=TimeSlot(row["starts_at"], row["ends_at"]),
        title=row["title"],
        attendees=row["attendees"],
        status=BookingStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
        created_at=row["created_at"],
    )
