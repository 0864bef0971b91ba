"""What every floor serves: the service's four measured routes, over a `Floor`'s raw driver.

No token check, no middleware, no permissions: the caller is the account FLOOR_USER_ID names,
read on every request as the service reads the bearer's account, and it sees every booking,
as staff and admins do. A page's total follows the service's rule (`Listing.fetch`): a count runs
only when the page alone cannot tell it.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, Protocol
from uuid import UUID

from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter

from benchmarks.floors.rows import Codec, Row, booking_out, room_out, user_out
from benchmarks.floors.statements import Statements
from campus_booking.adapters.http.bookings import BookingIn, BookingOut
from campus_booking.adapters.http.pagination import PageOut
from campus_booking.adapters.http.rooms import RoomOut
from campus_booking.adapters.http.users import UserOut
from campus_booking.application.queries import DEFAULT_PAGE_SIZE
from campus_booking.domain.time_slots import lookback_start


class Floor(Protocol):
    sql: Statements
    codec: Codec

    async def read(self, sql: str, parameters: tuple[Any, ...]) -> list[Row]:
        """One read statement's rows, outside any transaction (as the service's readers)."""

    async def book(self, requester_id: UUID, data: BookingIn) -> BookingOut:
        """`booking.create_booking`, in a write transaction."""

    async def close(self) -> None: ...


@get("/auth/me")
async def me(state: State) -> UserOut:
    return await _caller(state)


@get("/rooms")
async def list_rooms(
    state: State, limit: int = DEFAULT_PAGE_SIZE, offset: int = 0
) -> PageOut[RoomOut]:
    await _caller(state)
    floor: Floor = state.floor
    rows = await floor.read(floor.sql.rooms_page, (limit, offset))
    total = await _total(floor, rows, limit, offset, floor.sql.count_rooms, ())
    return PageOut([room_out(row, floor.codec) for row in rows], total, limit, offset)


@get("/bookings")
async def list_bookings(
    state: State,
    room_id: UUID,
    window_start: Annotated[datetime, Parameter(query="from")],
    window_end: Annotated[datetime, Parameter(query="to")],
    limit: int = DEFAULT_PAGE_SIZE,
    offset: int = 0,
) -> PageOut[BookingOut]:
    await _caller(state)
    floor: Floor = state.floor
    at = floor.codec.write_instant
    window = (
        floor.codec.write_uuid(room_id),
        at(window_start),
        at(lookback_start(window_start)),
        at(window_end),
    )
    rows = await floor.read(floor.sql.bookings_page, (*window, limit, offset))
    total = await _total(floor, rows, limit, offset, floor.sql.count_bookings, window)
    return PageOut([booking_out(row, floor.codec) for row in rows], total, limit, offset)


@post("/bookings")
async def create_booking(state: State, data: BookingIn) -> BookingOut:
    caller = await _caller(state)
    floor: Floor = state.floor
    return await floor.book(caller.id, data)


async def _caller(state: State) -> UserOut:
    floor: Floor = state.floor
    rows = await floor.read(floor.sql.user_by_id, (floor.codec.write_uuid(state.caller_id),))
    if not rows:
        raise NotAuthorizedException("No such account.")
    return user_out(rows[0], floor.codec)


async def _total(
    floor: Floor, rows: list[Row], limit: int, offset: int, count: str, where: tuple[Any, ...]
) -> int:
    if 0 < len(rows) < limit or (not rows and offset == 0):
        return offset + len(rows)
    counted = await floor.read(count, where)
    return int(counted[0][0])


def floor_app(open_floor: Callable[[], Awaitable[Floor]]) -> Litestar:
    """The app of a floor, which each worker process opens on startup and closes on shutdown."""

    async def start(app: Litestar) -> None:
        app.state.caller_id = UUID(os.environ["FLOOR_USER_ID"])
        app.state.floor = await open_floor()

    async def stop(app: Litestar) -> None:
        await app.state.floor.close()

    return Litestar(
        route_handlers=[me, list_rooms, list_bookings, create_booking],
        on_startup=[start],
        on_shutdown=[stop],
        openapi_config=None,
    )
