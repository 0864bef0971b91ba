"""Use-cases of opening hours: anyone signed in reads a room's; staff and admins replace them.

A replacement locks the room row, as every writer of the room's bookings does, so that a
booking checked against the old hours commits before the new ones are written, or waits and is
checked against them. It leaves bookings alone, but says how many upcoming ones (active,
ending after now) the new hours leave outside, so that staff can act on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from campus_booking.application.actors import lock_actor
from campus_booking.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from campus_booking.domain.errors import NotFound, Violation
from campus_booking.domain.opening_hours import (
    DateException,
    OpeningHours,
    dates_touching,
    weekly_window,
    window,
)
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    weekday: int
    opens: str
    closes: str


@dataclass(frozen=True, slots=True)
class DateHours:
    """`windows`: (opens, closes) pairs; none: closed all day."""

    on: date
    windows: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True, slots=True)
class SetOpeningHoursCommand:
    weekly: Sequence[WeeklyHours] = ()
    exceptions: Sequence[DateHours] = ()

    def hours_of(self, room_id: UUID) -> OpeningHours:
        """Raises `InvalidValue` naming the field as the request body does."""
        weekly = [
            weekly_window(w.weekday, w.opens, w.closes, f"weekly[{i}]")
            for i, w in enumerate(self.weekly)
        ]
        exceptions = [
            DateException(
                e.on,
                tuple(
                    window(opens, closes, f"exceptions[{i}].windows[{j}]")
                    for j, (opens, closes) in enumerate(e.windows)
                ),
            )
            for i, e in enumerate(self.exceptions)
        ]
        return OpeningHours.validated(room_id, weekly, exceptions)


@dataclass(frozen=True, slots=True)
class OpeningHoursSet:
    hours: OpeningHours
    bookings_outside: int


class GetOpeningHours:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, room_id: UUID) -> OpeningHours:
        async with self._uow(read_only=True) as uow:
            if await uow.rooms.get(room_id) is None:
                raise NotFound("Room not found.")
            return await uow.opening_hours.get(room_id)


class SetOpeningHours:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, actor: User, room_id: UUID, command: SetOpeningHoursCommand
    ) -> OpeningHoursSet:
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_OPENING_HOURS)
            new = command.hours_of(room_id)  # after the capability: nobody else learns the rules
            room = await uow.rooms.get(room_id, lock=True)
            if room is None:
                raise NotFound("Room not found.")
            now = self._clock.now()
            hours = await uow.opening_hours.get(room_id)
            hours.replace(new, by=actor.id, at=now)
            await uow.opening_hours.replace(hours)
            upcoming = await uow.bookings.active_from(room_id, now)
            outside = hours.count_outside((b.slot for b in upcoming), room.zone)
            await uow.commit()
        return OpeningHoursSet(hours, outside)


async def opening_hours_violations(uow: UnitOfWork, room: Room, slot: TimeSlot) -> list[Violation]:
    """`outside_opening_hours` when the slot is not open time in the room's zone.

    The room must be locked: a replacement of its hours then waits for this booking.
    """
    zone = room.zone
    first, last = dates_touching(slot.start, slot.end, zone)
    hours = await uow.opening_hours.between(room.id, first, last)
    return hours.violations(slot, zone)
