"""What reads of many rooms' time share: the window they may ask for, and the rooms' calendars
(opening hours, the times of active bookings, closures) read in three statements whatever
their number."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from campus_booking.application.ports import UnitOfWork
from campus_booking.application.queries import RoomSelection
from campus_booking.domain.availability import Booked
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.opening_hours import EARLIEST, LATEST, OpeningHours
from campus_booking.domain.time_slots import ensure_aware_utc

MAX_WINDOW_DAYS = 31


def availability_window(start: datetime, end: datetime) -> Period:
    """`[from, to)`, at most a month: what a calendar may show at once."""
    start, end = ensure_aware_utc(start, "from"), ensure_aware_utc(end, "to")
    if end <= start:
        raise InvalidValue("to", "must be after from")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise InvalidValue("to", f"must be at most {MAX_WINDOW_DAYS} days after from")
    return Period(start, end)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The selected rooms' time within a period, by room id."""

    hours: dict[UUID, OpeningHours]
    booked: dict[UUID, list[Booked]]
    closures: dict[UUID, list[Closure]]

    def hours_of(self, room_id: UUID) -> OpeningHours:
        return self.hours.get(room_id) or OpeningHours(room_id)


async def read_calendar(uow: UnitOfWork, selection: RoomSelection, period: Period) -> Calendar:
    first, last = _dates_around(period)
    hours = await uow.opening_hours.of_rooms(selection, first, last)
    booked: defaultdict[UUID, list[Booked]] = defaultdict(list)
    for room_id, slot, status in await uow.bookings.times_in_rooms(selection, period):
        booked[room_id].append((slot, status))
    closures: defaultdict[UUID, list[Closure]] = defaultdict(list)
    for closure in await uow.closures.in_rooms(selection, period):
        closures[closure.room_id].append(closure)
    return Calendar(hours, booked, closures)


def _dates_around(period: Period) -> tuple[date, date]:
    """Every local date whose opening hours can reach into `period`, in any zone: its UTC dates
    and two either side (a zone is at most a day off UTC; a window ends by the next midnight)."""
    start, end = max(period.start, EARLIEST), min(period.end, LATEST)
    return (start - timedelta(days=2)).date(), (end + timedelta(days=2)).date()
