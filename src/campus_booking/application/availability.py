"""Free/busy of one room, and the availability grid of many: anyone signed in may read them.

Other people's bookings show only their times and status; a booking's id only to those who
may see the booking itself (its requester, staff and admins).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from uuid import UUID

from campus_booking.application.calendars import availability_window, read_calendar
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import RoomSelection
from campus_booking.domain.access import may_see
from campus_booking.domain.availability import (
    RoomAvailability,
    interval_count,
    room_availability,
    room_view,
)
from campus_booking.domain.errors import InvalidValue, NotFound
from campus_booking.domain.opening_hours import dates_touching
from campus_booking.domain.users import User

MAX_GRID_ROOMS = 100
MAX_GRID_INTERVALS = 2000
MAX_INTERVAL_MINUTES = 24 * 60


class GetRoomAvailability:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, actor: User, room_id: UUID, start: datetime, end: datetime
    ) -> RoomAvailability:
        period = availability_window(start, end)
        selection = RoomSelection.of(room_id)
        async with self._uow(read_only=True) as uow:
            room = await uow.rooms.get(room_id)
            if room is None:
                raise NotFound("Room not found.")
            first, last = dates_touching(period.start, period.end, room.zone)
            hours = await uow.opening_hours.between(room_id, first, last)
            bookings = await uow.bookings.active_in_rooms(selection, period)
            closures = await uow.closures.in_rooms(selection, period)
        return room_availability(
            room,
            hours,
            bookings,
            closures,
            period.start,
            period.end,
            may_see=partial(may_see, actor),
        )


@dataclass(frozen=True, slots=True)
class AvailabilityGrid:
    start: datetime
    end: datetime
    interval_minutes: int
    views: list[tuple[UUID, str]]  # in the order the rooms were asked for


class GetAvailabilityGrid:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self,
        actor: User,
        room_ids: Sequence[UUID],
        start: datetime,
        end: datetime,
        interval_minutes: int,
    ) -> AvailabilityGrid:
        _check_rooms(room_ids)
        if not 1 <= interval_minutes <= MAX_INTERVAL_MINUTES:
            raise InvalidValue(
                "interval_minutes", f"must be between 1 and {MAX_INTERVAL_MINUTES} minutes"
            )
        period = availability_window(start, end)
        step = timedelta(minutes=interval_minutes)
        if interval_count(period.start, period.end, step) > MAX_GRID_INTERVALS:
            raise InvalidValue(
                "interval_minutes",
                f"divides the window into more than {MAX_GRID_INTERVALS} intervals; "
                "choose longer intervals or a shorter window",
            )
        selection = RoomSelection.of(*room_ids)
        async with self._uow(read_only=True) as uow:
            rooms = {room.id: room for room in await uow.rooms.selected(selection)}
            missing = [room_id for room_id in room_ids if room_id not in rooms]
            if missing:
                raise NotFound(f"Room {missing[0]} not found.")
            calendar = await read_calendar(uow, selection, period)
        views = [
            (
                room_id,
                room_view(
                    rooms[room_id],
                    calendar.hours_of(room_id),
                    calendar.booked[room_id],
                    calendar.closures[room_id],
                    period.start,
                    period.end,
                    step,
                ),
            )
            for room_id in room_ids
        ]
        return AvailabilityGrid(period.start, period.end, interval_minutes, views)


def _check_rooms(room_ids: Sequence[UUID]) -> None:
    if not room_ids:
        raise InvalidValue("room_id", "must name at least one room")
    if len(room_ids) > MAX_GRID_ROOMS:
        raise InvalidValue("room_id", f"may name at most {MAX_GRID_ROOMS} rooms")
    if len(set(room_ids)) != len(room_ids):
        raise InvalidValue("room_id", "names a room more than once")
