"""Availability: one room's free and busy time, the grid of many rooms, and free-room search.

Anyone signed in may ask; each answer is computed for the caller (their own bookings' ids,
their own quotas), never assuming a staff override.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.rooms import BuildingFilter, FeaturesFilter, RoomOut
from campus_booking.adapters.http.security import BEARER
from campus_booking.application.availability import (
    MAX_GRID_INTERVALS,
    MAX_GRID_ROOMS,
    MAX_INTERVAL_MINUTES,
    AvailabilityGrid,
    GetAvailabilityGrid,
    GetRoomAvailability,
)
from campus_booking.application.calendars import MAX_WINDOW_DAYS
from campus_booking.application.free_rooms import (
    DEFAULT_RESULTS,
    MAX_RESULTS,
    FindFreeRooms,
    FreeRoomQuery,
    FreeRooms,
)
from campus_booking.domain.alternatives import Alternative, AlternativeKind
from campus_booking.domain.availability import Busy, BusyKind, Interval, RoomAvailability
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.users import User

From = Annotated[datetime, QueryParameter(name="from", description="Start of the window")]
To = Annotated[
    datetime,
    QueryParameter(name="to", description=f"End of the window, at most {MAX_WINDOW_DAYS} days on"),
]


class IntervalOut(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, interval: Interval) -> IntervalOut:
        return cls(*interval)


class BusyOut(msgspec.Struct, omit_defaults=True):
    """`status` and `booking_id` are a booking's (the id only where the caller may see the
    booking); `reason` is a closure's."""

    starts_at: datetime
    ends_at: datetime
    kind: BusyKind
    status: BookingStatus | None = None
    booking_id: UUID | None = None
    reason: str | None = None

    @classmethod
    def of(cls, busy: Busy) -> BusyOut:
        return cls(busy.start, busy.end, busy.kind, busy.status, busy.booking_id, busy.reason)


class RoomAvailabilityOut(msgspec.Struct):
    """Every interval in UTC, sorted and clipped to the window; `open` and `free` merged where
    they touch."""

    room_id: UUID
    time_zone: str
    window_start: datetime = msgspec.field(name="from")
    window_end: datetime = msgspec.field(name="to")
    open: list[IntervalOut] = []
    busy: list[BusyOut] = []
    free: list[IntervalOut] = []

    @classmethod
    def of(cls, availability: RoomAvailability) -> RoomAvailabilityOut:
        return cls(
            room_id=availability.room.id,
            time_zone=availability.room.time_zone,
            window_start=availability.start,
            window_end=availability.end,
            open=[IntervalOut.of(interval) for interval in availability.open],
            busy=[BusyOut.of(busy) for busy in availability.busy],
            free=[IntervalOut.of(interval) for interval in availability.free],
        )


class RoomViewOut(msgspec.Struct):
    room_id: UUID
    view: str


class AvailabilityGridOut(msgspec.Struct):
    """`view`: a digit per interval from `from` (the last one cut at `to`): 0 free, 1 pending
    booking, 2 approved booking, 3 closed (a closure, outside opening hours, or a room no
    longer in use); the highest wins."""

    window_start: datetime = msgspec.field(name="from")
    window_end: datetime = msgspec.field(name="to")
    interval_minutes: int = 30
    rooms: list[RoomViewOut] = []

    @classmethod
    def of(cls, grid: AvailabilityGrid) -> AvailabilityGridOut:
        return cls(
            window_start=grid.start,
            window_end=grid.end,
            interval_minutes=grid.interval_minutes,
            rooms=[RoomViewOut(room_id, view) for room_id, view in grid.views],
        )


class AlternativeOut(msgspec.Struct):
    kind: AlternativeKind
    room_id: UUID
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, alternative: Alternative) -> AlternativeOut:
        slot = alternative.slot
        return cls(alternative.kind, alternative.room.id, slot.start, slot.end)


class FreeRoomsOut(msgspec.Struct):
    items: list[RoomOut]
    alternatives: list[AlternativeOut]

    @classmethod
    def of(cls, found: FreeRooms) -> FreeRoomsOut:
        return cls(
            items=[RoomOut.of(room) for room in found.items],
            alternatives=[AlternativeOut.of(alternative) for alternative in found.alternatives],
        )


class AvailabilityController(Controller):
    tags = ["availability"]
    security = BEARER

    @get(
        "/rooms/{room_id:uuid}/availability",
        summary="One room's free and busy time",
        description=f"Within `[from, to)`, at most {MAX_WINDOW_DAYS} days. Other people's "
        "bookings show their times and status only.",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def get_room_availability(
        self,
        room_id: FromPath[UUID],
        current_user: NamedDependency[User],
        get_room_availability: NamedDependency[GetRoomAvailability],
        window_start: From,
        window_end: To,
    ) -> RoomAvailabilityOut:
        availability = await get_room_availability(current_user, room_id, window_start, window_end)
        return RoomAvailabilityOut.of(availability)

    @get(
        "/availability",
        summary="The availability grid of many rooms",
        description=f"Up to {MAX_GRID_ROOMS} rooms and {MAX_GRID_INTERVALS} intervals a room, "
        f"within a window of at most {MAX_WINDOW_DAYS} days.",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def get_availability_grid(
        self,
        current_user: NamedDependency[User],
        get_availability_grid: NamedDependency[GetAvailabilityGrid],
        room_ids: Annotated[
            list[UUID],
            QueryParameter(name="room_id", description=f"Repeatable, up to {MAX_GRID_ROOMS}"),
        ],
        window_start: From,
        window_end: To,
        interval_minutes: Annotated[
            int, QueryParameter(ge=1, le=MAX_INTERVAL_MINUTES, description="Length of a digit")
        ] = 30,
    ) -> AvailabilityGridOut:
        grid = await get_availability_grid(
            current_user, room_ids, window_start, window_end, interval_minutes
        )
        return AvailabilityGridOut.of(grid)

    @get(
        "/rooms/free",
        summary="Rooms free for a slot, or the nearest alternatives",
        description="`items`: the active rooms the caller could book for exactly this slot "
        "now (open, not closed, not taken, large enough, every feature, every rule of the "
        "room's policy for this caller), smallest sufficient capacity first. `alternatives`, "
        "when fewer than `limit` rooms are free: the same length at the nearest other time of "
        "the same local day (`other_time`), or a shorter stay from the asked start, at least "
        "half as long (`shorter`), least changed first.",
        responses=problem_responses(400, 401, 503),
    )
    async def find_free_rooms(
        self,
        current_user: NamedDependency[User],
        find_free_rooms: NamedDependency[FindFreeRooms],
        starts_at: Annotated[datetime, QueryParameter(description="Start of the slot")],
        ends_at: Annotated[datetime, QueryParameter(description="End of the slot")],
        min_capacity: Annotated[
            int | None, QueryParameter(ge=1, le=100_000, description="Also the attendees")
        ] = None,
        building: BuildingFilter = None,
        features: FeaturesFilter = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_RESULTS)] = DEFAULT_RESULTS,
    ) -> FreeRoomsOut:
        found = await find_free_rooms(
            current_user,
            FreeRoomQuery(
                starts_at=starts_at,
                ends_at=ends_at,
                min_capacity=min_capacity,
                building=building,
                features=frozenset(features or ()),
                limit=limit,
            ),
        )
        return FreeRoomsOut.of(found)
