"""Bookings: the overlap checks and the locks of the booking paths, as prepared statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
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
from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.repositories.room_selection import (
    SelectionShape,
    selected_ids,
    selection_of,
)
from campus_booking.adapters.database.tables import bookings, rooms
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import BookingFilter, Page, PageRequest, RoomSelection
from campus_booking.domain.booking_checks import Usage
from campus_booking.domain.bookings import ACTIVE_STATUSES, Booking, BookingStatus
from campus_booking.domain.closures import Period
from campus_booking.domain.time_slots import LONGEST_SLOT, TimeSlot, lookback_start

ACTIVE = [status.value for status in ACTIVE_STATUSES]
# Written into the SQL rather than bound: a list of values is an expanding parameter, which
# SQLAlchemy renders anew on every execution.
_IS_ACTIVE = bookings.c.status.in_([literal_column(f"'{status}'") for status in ACTIVE])
INSERT_BOOKING = insert(bookings)
# Many bookings written back in one executemany: "b_id", since a bind named after a column
# would clash with the SET clause it fills.
UPDATE_BOOKING = update(bookings).where(bookings.c.id == bindparam("b_id"))

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
# A closure's bookings in the way: any length, but each booking lasts at most a day, so the
# index still bounds the scan from a day before the closure starts.
ACTIVE_WITHIN_LOCKED = (
    OVERLAPPING.order_by(None)
    .order_by(bookings.c.starts_at, bookings.c.id)
    .with_for_update(key_share=True)
)
BOOKING_BY_ID = select(bookings).where(bookings.c.id == bindparam("booking_id"))
BOOKING_BY_ID_LOCKED = BOOKING_BY_ID.with_for_update(key_share=True)
# Through the (series_id, starts_at) index. By start then id, as the other locking reads of
# bookings are, so that a series' writer and a room's lock the rows they share in one order.
OF_SERIES = (
    select(bookings)
    .where(bookings.c.series_id.in_(bindparam("series_ids", expanding=True)))
    .order_by(bookings.c.starts_at, bookings.c.id)
)
OF_SERIES_LOCKED = OF_SERIES.with_for_update(key_share=True)
# The times a series' occurrences are checked against: a period of any length, bounded
# below as `ACTIVE_WITHIN_LOCKED` is, and unlocked: the database's guards have the last word.
TIMES_WITHIN = (
    select(bookings.c.starts_at, bookings.c.ends_at)
    .where(
        bookings.c.room_id == bindparam("room_id"),
        _IS_ACTIVE,
        bookings.c.starts_at > bindparam("lookback"),
        bookings.c.starts_at < bindparam("end"),
        bookings.c.ends_at > bindparam("start"),
    )
    .order_by(bookings.c.starts_at, bookings.c.id)
)
# What a calendar feed shows: every booking, whatever its status, of a room or of a
# requester, over a period of any length. A room's through the (room_id, starts_at) index,
# bounded below as `TIMES_WITHIN` is; a requester's through the (requester_id, ends_at) index,
# bounded above the same way: a booking starting before the period ends ends at most a day
# after it.
_IN_FEED = select(bookings).order_by(bookings.c.starts_at, bookings.c.id)
IN_FEED_OF_ROOM = _IN_FEED.where(
    bookings.c.room_id == bindparam("room_id"),
    bookings.c.starts_at > bindparam("lookback"),
    bookings.c.starts_at < bindparam("end"),
    bookings.c.ends_at > bindparam("start"),
)
IN_FEED_OF_REQUESTER = _IN_FEED.where(
    bookings.c.requester_id == bindparam("requester_id"),
    bookings.c.ends_at > bindparam("start"),
    bookings.c.ends_at <= bindparam("lookahead"),
    bookings.c.starts_at < bindparam("end"),
)

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


# A requester's quota usage under one policy: the slots in the quota window, each row with
# the count of upcoming ones; when none is in the window, the count comes alone on a row
# whose times are NULL. One statement, through the requester_id index. Without minute
# quotas only the count is needed: its statement fetches no slot.
def _usage(*, by_policy: bool, with_slots: bool) -> Any:
    under_policy = (
        rooms.c.policy_id == bindparam("policy_id") if by_policy else rooms.c.policy_id.is_(None)
    )
    mine = and_(
        bookings.c.requester_id == bindparam("requester_id"),
        _IS_ACTIVE,
        bookings.c.id != bindparam("ignore"),
        bookings.c.room_id.in_(select(rooms.c.id).where(under_policy)),
    )
    upcoming = select(func.count().label("upcoming")).where(
        mine, bookings.c.ends_at > bindparam("now")
    )
    if not with_slots:
        return upcoming
    counted = upcoming.subquery("upcoming")
    in_window = (
        select(bookings.c.starts_at, bookings.c.ends_at)
        .where(
            mine,
            bookings.c.starts_at > bindparam("lookback"),
            bookings.c.starts_at < bindparam("window_end"),
            bookings.c.ends_at > bindparam("window_start"),
        )
        .subquery("in_window")
    )
    return (
        select(counted.c.upcoming, in_window.c.starts_at, in_window.c.ends_at)
        .select_from(counted.outerjoin(in_window, literal_column("1") == literal_column("1")))
        .order_by(in_window.c.starts_at)
    )


USAGE = {
    (by_policy, with_slots): _usage(by_policy=by_policy, with_slots=with_slots)
    for by_policy in (False, True)
    for with_slots in (False, True)
}
NO_BOOKING = UUID(int=0)


@cache
def _active_in_rooms(shape: SelectionShape, *, times_only: bool = False) -> Any:
    """Through the (room_id, starts_at) index: each room's bookings starting in the period or
    a day before it (no booking lasts longer). `times_only`: their room, times and status."""
    times = (bookings.c.room_id, bookings.c.starts_at, bookings.c.ends_at, bookings.c.status)
    return (
        (select(*times) if times_only else select(bookings))
        .where(
            bookings.c.room_id.in_(selected_ids(shape)),
            _IS_ACTIVE,
            bookings.c.starts_at > bindparam("lookback"),
            bookings.c.starts_at < bindparam("end"),
            bookings.c.ends_at > bindparam("start"),
        )
        .order_by(bookings.c.starts_at, bookings.c.id)
    )


# Through the (requester_id, ends_at) index: a requester's bookings from `since` on.
HELD_BY_REQUESTER = (
    select(rooms.c.policy_id, bookings.c.starts_at, bookings.c.ends_at)
    .join_from(bookings, rooms, bookings.c.room_id == rooms.c.id)
    .where(
        bookings.c.requester_id == bindparam("requester_id"),
        _IS_ACTIVE,
        bookings.c.ends_at > bindparam("since"),
    )
    .order_by(bookings.c.starts_at)
)  # `ignore` when nothing is: no booking has this id


@cache
def _listing(
    *, by_requester: bool, by_room: bool, by_status: bool, ending_after: bool, starting_before: bool
) -> Listing:
    """The listing for one shape of `BookingFilter`: which of its filters are set."""
    query = select(bookings).order_by(bookings.c.starts_at, bookings.c.id)
    if by_requester:
        query = query.where(bookings.c.requester_id == bindparam("requester_id"))
    if by_room:
        query = query.where(bookings.c.room_id == bindparam("room_id"))
    if by_status:
        query = query.where(bookings.c.status.in_(bindparam("statuses", expanding=True)))
    if ending_after:
        query = query.where(
            bookings.c.ends_at > bindparam("ends_after"),
            bookings.c.starts_at > bindparam("lookback"),
        )
    if starting_before:
        query = query.where(bookings.c.starts_at < bindparam("starts_before"))
    return Listing.of(query)


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
        row = result.first()
        return self._events.seen(_booking_from(row)) if row else None

    async def save(self, booking: Booking) -> None:
        self._events.seen(booking)
        with refusing_overlaps():
            await self._connection.execute(
                update(bookings).where(bookings.c.id == booking.id).values(_booking_row(booking))
            )

    async def add_many(self, bookings: Sequence[Booking]) -> None:
        if not bookings:
            return
        self._events.seen_all(list(bookings))
        # One statement: the guards refuse it whole, so no occurrence is left half stored.
        with refusing_overlaps():
            await self._connection.execute(INSERT_BOOKING, [_booking_row(b) for b in bookings])

    async def save_many(self, bookings: Sequence[Booking]) -> None:
        if not bookings:
            return
        self._events.seen_all(list(bookings))
        rows = []
        for booking in bookings:
            row = _booking_row(booking)
            row["b_id"] = row.pop("id")
            rows.append(row)
        with refusing_overlaps():
            await self._connection.execute(UPDATE_BOOKING, rows)

    async def of_series(self, series_ids: Sequence[UUID], *, lock: bool = False) -> list[Booking]:
        ids = sorted(set(series_ids))
        if not ids:
            return []
        query = OF_SERIES_LOCKED if lock else OF_SERIES
        result = await self._connection.execute(query, {"series_ids": ids})
        return self._events.seen_all([_booking_from(row) for row in result])

    async def in_feed(
        self, requester_id: UUID | None, room_id: UUID | None, period: Period
    ) -> list[Booking]:
        if (requester_id is None) == (room_id is None):
            raise ValueError("A feed is of a requester or of a room: give one of the two.")
        params: dict[str, Any] = {"start": period.start, "end": period.end}
        if room_id is not None:
            params.update(room_id=room_id, lookback=lookback_start(period.start))
            result = await self._connection.execute(IN_FEED_OF_ROOM, params)
        else:
            params.update(requester_id=requester_id, lookahead=_lookahead_end(period.end))
            result = await self._connection.execute(IN_FEED_OF_REQUESTER, params)
        return self._events.seen_all([_booking_from(row) for row in result])

    async def times_within(self, room_id: UUID, period: Period) -> list[TimeSlot]:
        params = {
            "room_id": room_id,
            "lookback": lookback_start(period.start),
            "start": period.start,
            "end": period.end,
        }
        result = await self._connection.execute(TIMES_WITHIN, params)
        return [TimeSlot(start, end) for start, end in result]

    async def search(self, filter: BookingFilter, page: PageRequest) -> Page[Booking]:
        listing = _listing(
            by_requester=filter.requester_id is not None,
            by_room=filter.room_id is not None,
            by_status=bool(filter.statuses),
            ending_after=filter.ends_after is not None,
            starting_before=filter.starts_before is not None,
        )
        parameters = {
            "requester_id": filter.requester_id,
            "room_id": filter.room_id,
            "statuses": sorted(status.value for status in filter.statuses),
            "ends_after": filter.ends_after,
            "lookback": lookback_start(filter.ends_after) if filter.ends_after else None,
            "starts_before": filter.starts_before,
        }
        rows, total = await listing.fetch(self._connection, parameters, page)
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
        return self._events.seen_all([_booking_from(row) for row in result])

    async def active_from(
        self, room_id: UUID, instant: datetime, *, lock: bool = False
    ) -> list[Booking]:
        params = {"room_id": room_id, "lookback": lookback_start(instant), "start": instant}
        result = await self._connection.execute(ACTIVE_FROM_LOCKED if lock else ACTIVE_FROM, params)
        return self._events.seen_all([_booking_from(row) for row in result])

    async def active_within(self, room_id: UUID, period: Period) -> list[Booking]:
        params = {
            "room_id": room_id,
            "lookback": lookback_start(period.start),
            "start": period.start,
            "end": period.end,
        }
        result = await self._connection.execute(ACTIVE_WITHIN_LOCKED, params)
        return self._events.seen_all([_booking_from(row) for row in result])

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
        clashes = [_booking_from(row[1:]) for row in rows if row.id is not None]
        return self._events.seen_all(clashes), rows[0].held

    async def active_of_requester(self, requester_id: UUID, instant: datetime) -> list[Booking]:
        params = {"requester_id": requester_id, "instant": instant}
        result = await self._connection.execute(ACTIVE_OF_REQUESTER, params)
        return self._events.seen_all([_booking_from(row) for row in result])

    async def active_in_rooms(self, selection: RoomSelection, period: Period) -> list[Booking]:
        shape, parameters = selection_of(selection)
        parameters.update(lookback=lookback_start(period.start), start=period.start, end=period.end)
        result = await self._connection.execute(_active_in_rooms(shape), parameters)
        return self._events.seen_all([_booking_from(row) for row in result])

    async def times_in_rooms(
        self, selection: RoomSelection, period: Period
    ) -> list[tuple[UUID, TimeSlot, BookingStatus]]:
        shape, parameters = selection_of(selection)
        parameters.update(lookback=lookback_start(period.start), start=period.start, end=period.end)
        result = await self._connection.execute(
            _active_in_rooms(shape, times_only=True), parameters
        )
        return [
            (room_id, TimeSlot(start, end), BookingStatus(status))
            for room_id, start, end, status in result
        ]

    async def held_by_requester(
        self, requester_id: UUID, since: datetime
    ) -> list[tuple[UUID | None, TimeSlot]]:
        params = {"requester_id": requester_id, "since": since}
        result = await self._connection.execute(HELD_BY_REQUESTER, params)
        return [(policy_id, TimeSlot(start, end)) for policy_id, start, end in result]

    async def usage_of_requester(
        self,
        requester_id: UUID,
        policy_id: UUID | None,
        window: tuple[datetime, datetime] | None,
        now: datetime,
        *,
        ignore: UUID | None = None,
    ) -> Usage:
        params = {
            "requester_id": requester_id,
            "policy_id": policy_id,
            "ignore": ignore or NO_BOOKING,
            "now": now,
        }
        query = USAGE[policy_id is not None, window is not None]
        if window is None:
            return Usage(upcoming=await self._connection.scalar(query, params) or 0)
        start, end = window
        params.update(lookback=lookback_start(start), window_start=start, window_end=end)
        # Rows by position: a reader's rows are plain tuples (direct_reads.py).
        rows = (await self._connection.execute(query, params)).all()
        slots = [TimeSlot(start, end) for _, start, end in rows if start is not None]
        return Usage(slots=slots, upcoming=rows[0][0])


def _lookahead_end(instant: datetime) -> datetime:
    """The latest end of a booking that starts before `instant`: no booking lasts longer than
    `LONGEST_SLOT`. Bounded by the last day of the calendar."""
    latest = datetime.max.replace(tzinfo=instant.tzinfo)
    return latest if latest - instant < LONGEST_SLOT else instant + LONGEST_SLOT


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
        "series_id": booking.series_id,
        "occurrence_start": booking.occurrence_start,
        "series_changed": booking.series_changed,
        "sequence": booking.sequence,
        "updated_at": booking.updated_at,
    }


def _booking_from(row: Sequence[Any]) -> Booking:
    """A row of the `bookings` columns, in table order."""
    (
        booking_id,
        room_id,
        requester_id,
        starts_at,
        ends_at,
        title,
        attendees,
        status,
        decided_by,
        decided_at,
        decision_reason,
        created_at,
        series_id,
        occurrence_start,
        series_changed,
        sequence,
        updated_at,
    ) = row
    return Booking(
        id=booking_id,
        room_id=room_id,
        requester_id=requester_id,
        slot=TimeSlot(starts_at, ends_at),
        title=title,
        attendees=attendees,
        status=BookingStatus(status),
        decided_by=decided_by,
        decided_at=decided_at,
        decision_reason=decision_reason,
        created_at=created_at,
        series_id=series_id,
        occurrence_start=occurrence_start,
        series_changed=series_changed,
        sequence=sequence,
        updated_at=updated_at,
    )
