"""Use-cases of closures: staff close rooms for a while; anyone signed in sees when.

A closure and the bookings of its room are written under the room's lock, so that a closure
and a booking of one room never pass their checks side by side; the database refuses the
overlap too (revision 0008), whatever a writer checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from campus_booking.application.actors import lock_actor
from campus_booking.application.idempotency import IdempotencyKey, remember, replay_if_answered
from campus_booking.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from campus_booking.application.queries import ClosureFilter, Page, PageRequest
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure, Period, clean_closure_reason
from campus_booking.domain.errors import (
    BookingInTheWay,
    BookingsInTheWay,
    InvalidValue,
    NotFound,
    RulesBroken,
    Violation,
)
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.users import User

MAX_ROOMS_PER_REQUEST = 100
IN_THE_PAST = "in_the_past"


@dataclass(frozen=True, slots=True)
class CreateClosuresCommand:
    room_ids: Sequence[UUID]
    starts_at: datetime
    ends_at: datetime
    reason: str
    cancel_conflicting: bool = False


class CreateClosures:
    """One closure per room, all in one transaction: every room is closed, or none is.

    Active bookings in the way are refused as a conflict, or, when the caller asks, cancelled
    in the same transaction with the closure's reason as their decision's.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self,
        actor: User,
        command: CreateClosuresCommand,
        key: IdempotencyKey[list[Closure]] | None = None,
    ) -> list[Closure]:
        period = Period(command.starts_at, command.ends_at)
        reason = clean_closure_reason(command.reason)
        room_ids = _distinct_rooms(command.room_ids)
        try:
            async with self._uow() as uow:
                await replay_if_answered(uow, actor.id, key, self._clock.now())
                actor = await lock_actor(uow, actor)
                check_may(actor, Capability.MANAGE_CLOSURES)
                await _lock_rooms(uow, room_ids)
                now = self._clock.now()
                if period.end <= now:
                    raise RulesBroken(
                        [Violation(IN_THE_PAST, "ends_at", "a closure must end after now")]
                    )
                in_the_way = await _bookings_in_the_way(uow, room_ids, period)
                if in_the_way and not command.cancel_conflicting:
                    raise _refusal(in_the_way)
                for booking in in_the_way:  # first: the database refuses a closure over them
                    booking.cancel(by=actor.id, at=now, reason=reason)
                    await uow.bookings.save(booking)
                closures = [
                    Closure.create(
                        room_id=room_id, period=period, reason=reason, by=actor.id, now=now
                    )
                    for room_id in room_ids
                ]
                for closure in closures:
                    await uow.closures.add(closure)
                await remember(uow, actor.id, key, closures, now)
                await uow.commit()
        except BookingsInTheWay as error:
            if error.bookings:
                raise
            # The database refused what the check let through: tell what is in the way now.
            async with self._uow(read_only=True) as uow:
                raise _refusal(await _bookings_in_the_way(uow, room_ids, period)) from error
        return closures


def _distinct_rooms(room_ids: Sequence[UUID]) -> list[UUID]:
    """The rooms in the order given, each once."""
    distinct = list(dict.fromkeys(room_ids))
    if not distinct:
        raise InvalidValue("room_ids", "must name at least one room")
    if len(distinct) > MAX_ROOMS_PER_REQUEST:
        raise InvalidValue("room_ids", f"must name at most {MAX_ROOMS_PER_REQUEST} rooms")
    return distinct


async def _lock_rooms(uow: UnitOfWork, room_ids: Iterable[UUID]) -> None:
    """In id order, so that two closures of overlapping sets of rooms cannot deadlock."""
    for room_id in sorted(room_ids):
        if await uow.rooms.get(room_id, lock=True) is None:
            raise NotFound(f"Room {room_id} not found.")


async def _bookings_in_the_way(
    uow: UnitOfWork, room_ids: Iterable[UUID], period: Period
) -> list[Booking]:
    found = [
        b for room_id in sorted(room_ids) for b in await uow.bookings.active_within(room_id, period)
    ]
    return sorted(found, key=lambda booking: (booking.slot.start, str(booking.id)))


def _refusal(bookings: Iterable[Booking]) -> BookingsInTheWay:
    return BookingsInTheWay(
        [
            BookingInTheWay(booking.id, booking.room_id, booking.slot.start, booking.slot.end)
            for booking in bookings
        ]
    )


class ListClosures:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, filter: ClosureFilter, page: PageRequest) -> Page[Closure]:
        async with self._uow(read_only=True) as uow:
            return await uow.closures.search(filter, page)


class GetClosure:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, closure_id: UUID) -> Closure:
        async with self._uow(read_only=True) as uow:
            closure = await uow.closures.get(closure_id)
        if closure is None:
            raise NotFound("Closure not found.")
        return closure


class DeleteClosure:
    """Frees the closure's time at once: bookings it cancelled stay cancelled."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, closure_id: UUID) -> None:
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_CLOSURES)
            found = await uow.closures.get(closure_id)
            if found is not None:
                await uow.rooms.get(found.room_id, lock=True)
                found = await uow.closures.get(closure_id)  # still there, once it is ours
            if found is None:
                raise NotFound("Closure not found.")
            found.remove(by=actor.id, at=self._clock.now())
            await uow.closures.delete(found)
            await uow.commit()
