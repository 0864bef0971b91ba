"""CreateBooking's transaction, written once for both floors and free of any driver.

It yields each statement with its parameters and is sent back the statement's rows, so that
`sqlite` drives it on its writer thread and `postgres` on the event loop, each between its own
BEGIN and COMMIT (`drive`). The statements and their order are the service's: lock the
requester, lock the room, count the requester's active bookings (students only), check for an
overlap, insert the booking, insert its audit row. The booking itself, its JSON and its audit
fields come from the service's own domain and HTTP code, so only the database work is bare.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID, uuid4

from litestar.exceptions import HTTPException, NotFoundException

from benchmarks.floors.rows import Codec, Row, booking_row
from benchmarks.floors.statements import ACTIVE_STATUSES, Statements
from campus_booking.adapters.http.bookings import BookingIn, BookingOut
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import Booking
from campus_booking.domain.time_slots import TimeSlot, lookback_start
from campus_booking.domain.users import Role

Step = tuple[str, tuple[Any, ...]]
Transaction = Generator[Step, list[Row], BookingOut]


def create_booking(
    sql: Statements, codec: Codec, requester_id: UUID, data: BookingIn
) -> Transaction:
    """The booking `data` asks for, by `requester_id`; 404 if the room is missing, 409 if taken."""
    requester = codec.write_uuid(requester_id)
    users = yield sql.user_by_id_locked, (requester,)
    rooms = yield sql.room_by_id_locked, (codec.write_uuid(data.room_id),)
    if not users or not rooms:
        raise NotFoundException("Room not found.")
    now = datetime.now(UTC)  # once the locks are held, as the service takes it
    is_student = users[0][3] == Role.STUDENT.value
    if is_student:  # only students' upcoming bookings are limited, so only theirs are counted
        yield sql.count_active_of_requester, (requester, *ACTIVE_STATUSES, codec.write_instant(now))
    booking = Booking.request(
        room_id=data.room_id,
        requester_id=requester_id,
        slot=TimeSlot(data.starts_at, data.ends_at),
        title=data.title,
        attendees=data.attendees,
        needs_approval=is_student and bool(rooms[0][4]),  # rooms.requires_approval
        now=now,
    )
    at = codec.write_instant
    clashes = yield (
        sql.overlapping_others,
        (
            codec.write_uuid(booking.room_id),
            *ACTIVE_STATUSES,
            at(lookback_start(booking.slot.start)),
            at(booking.slot.start),
            at(booking.slot.end),
            codec.write_uuid(booking.id),
        ),
    )
    if clashes:
        raise HTTPException(status_code=409, detail="The slot is taken.")
    yield sql.insert_booking, booking_row(booking, codec)
    after = json.dumps(booking.trail_fields())  # as SQLAlchemy's JSON type writes it
    yield (
        sql.insert_audit,
        (
            codec.write_uuid(uuid4()),
            at(now),
            requester,
            Entity.BOOKING.value,
            codec.write_uuid(booking.id),
            Action.CREATED.value,
            None,
            after,
        ),
    )
    return BookingOut.of(booking)


def drive(transaction: Transaction, run: Callable[[str, tuple[Any, ...]], list[Row]]) -> BookingOut:
    """Runs each statement the transaction yields with `run`, and sends it back the rows."""
    try:
        step = next(transaction)
        while True:
            step = transaction.send(run(*step))
    except StopIteration as finished:
        return cast(BookingOut, finished.value)


async def drive_awaiting(
    transaction: Transaction, run: Callable[[str, tuple[Any, ...]], Awaitable[list[Row]]]
) -> BookingOut:
    """`drive`, for a driver whose statements are awaited."""
    try:
        step = next(transaction)
        while True:
            step = transaction.send(await run(*step))
    except StopIteration as finished:
        return cast(BookingOut, finished.value)
