"""Use-cases of bookings: request, change, cancel, decide, and look them up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from campus_booking.application.actors import lock_actor
from campus_booking.application.booking_limits import held_and_clashes
from campus_booking.application.opening_hours import check_within_opening_hours
from campus_booking.application.ports import Clock, UnitOfWork, UnitOfWorkFactory
from campus_booking.application.queries import BookingFilter, Page, PageRequest
from campus_booking.domain.access import (
    check_can_cancel,
    check_can_change,
    check_can_decide,
    check_can_see,
)
from campus_booking.domain.approval import needs_approval
from campus_booking.domain.audit import Action
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure
from campus_booking.domain.errors import InvalidValue, NotFound, SlotTaken
from campus_booking.domain.permissions import Capability, check_may, may
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User


@dataclass(frozen=True, slots=True)
class CreateBookingCommand:
    room_id: UUID
    starts_at: datetime
    ends_at: datetime
    title: str
    attendees: int = 1


@dataclass(frozen=True, slots=True)
class ChangeBookingCommand:
    """`None` leaves a field as it is."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title: str | None = None
    attendees: int | None = None


class _SlotHolder:
    """What creating and moving a booking share: the friendly overlap check, and its backstop.

    The check answers with the conflicting times. Two requests can pass it at the same moment;
    the database then refuses the second write, and the times are looked up afresh so the
    caller gets the same answer either way.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, rules: BookingRules) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules

    async def _room(self, uow: UnitOfWork, room_id: UUID) -> Room:
        room = await uow.rooms.get(room_id, lock=True)
        if room is None:
            raise NotFound("Room not found.")
        return room

    async def _check_free(self, uow: UnitOfWork, booking: Booking) -> None:
        clashes = await uow.bookings.overlapping(booking.room_id, booking.slot, ignore=booking.id)
        closures = await uow.closures.overlapping(booking.room_id, booking.slot)
        if clashes or closures:
            raise _slot_taken(clashes, closures)

    async def _explain(self, error: SlotTaken, booking: Booking) -> SlotTaken:
        if error.explained:
            return error
        async with self._uow(read_only=True) as uow:
            clashes = await uow.bookings.overlapping(
                booking.room_id, booking.slot, ignore=booking.id
            )
            closures = await uow.closures.overlapping(booking.room_id, booking.slot)
        return _slot_taken(clashes, closures)


def _slot_taken(clashes: Sequence[Booking], closures: Sequence[Closure] = ()) -> SlotTaken:
    return SlotTaken(
        [(clash.slot.start, clash.slot.end) for clash in clashes],
        [(closure.period.start, closure.period.end, closure.reason) for closure in closures],
    )


class CreateBooking(_SlotHolder):
    async def __call__(self, actor: User, command: CreateBookingCommand) -> Booking:
        slot = TimeSlot(command.starts_at, command.ends_at)
        try:
            async with self._uow() as uow:
                actor = await lock_actor(uow, actor)
                room = await self._room(uow, command.room_id)
                now = self._clock.now()  # once the locks are held: the times follow their order
                held, clashes = await held_and_clashes(uow, self._rules, actor, room.id, slot, now)
                await check_within_opening_hours(
                    uow,
                    room,
                    slot,
                    lambda: self._rules.check(
                        room=room,
                        slot=slot,
                        attendees=command.attendees,
                        now=now,
                        active_bookings=held,
                    ),
                )
                booking = Booking.request(
                    room_id=room.id,
                    requester_id=actor.id,
                    slot=slot,
                    title=command.title,
                    attendees=command.attendees,
                    needs_approval=needs_approval(actor, room),
                    now=now,
                )
                closures = await uow.closures.overlapping(room.id, slot)
                if clashes or closures:  # after the rules: a request they refuse is refused so
                    raise _slot_taken(clashes, closures)
                await uow.bookings.add(booking)
                await uow.commit()
        except SlotTaken as error:
            raise await self._explain(error, booking) from error
        return booking


class ChangeBooking(_SlotHolder):
    async def __call__(
        self, actor: User, booking_id: UUID, command: ChangeBookingCommand
    ) -> Booking:
        try:
            async with self._uow() as uow:
                actor, room, booking = await _locked_booking(uow, actor, booking_id)
                now = self._clock.now()
                check_can_change(actor, booking, now)
                slot = TimeSlot(
                    command.starts_at or booking.slot.start, command.ends_at or booking.slot.end
                )
                attendees = booking.attendees if command.attendees is None else command.attendees
                if slot == booking.slot:  # hours changed since do not block other edits
                    self._rules.check(room=room, slot=slot, attendees=attendees, now=now)
                else:
                    await check_within_opening_hours(
                        uow,
                        room,
                        slot,
                        lambda: self._rules.check(
                            room=room, slot=slot, attendees=attendees, now=now
                        ),
                    )
                booking.change(
                    slot=slot,
                    title=command.title,
                    attendees=command.attendees,
                    needs_approval=needs_approval(actor, room),
                    by=actor.id,
                    at=now,
                )
                await self._check_free(uow, booking)
                await uow.bookings.save(booking)
                await uow.commit()
        except SlotTaken as error:
            raise await self._explain(error, booking) from error
        return booking


class CancelBooking:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, booking_id: UUID) -> Booking:
        async with self._uow() as uow:
            actor, _room, booking = await _locked_booking(uow, actor, booking_id)
            now = self._clock.now()
            check_can_cancel(actor, booking, now)
            booking.cancel(by=actor.id, at=now)
            await uow.bookings.save(booking)
            await uow.commit()
        return booking


class DecideBooking:
    """Approve or reject a PENDING booking, recording who decided, when and why."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def approve(self, actor: User, booking_id: UUID, reason: str | None = None) -> Booking:
        return await self._decide(actor, booking_id, Action.APPROVED, reason)

    async def reject(self, actor: User, booking_id: UUID, reason: str) -> Booking:
        check_may(actor, Capability.DECIDE_BOOKINGS)  # early: before the reason is looked at
        if not reason.strip():
            raise InvalidValue("reason", "must say why the booking is rejected")
        return await self._decide(actor, booking_id, Action.REJECTED, reason)

    async def _decide(
        self, actor: User, booking_id: UUID, decision: Action, reason: str | None
    ) -> Booking:
        async with self._uow() as uow:
            actor, room, booking = await _locked_booking(
                uow, actor, booking_id, needs=Capability.DECIDE_BOOKINGS
            )
            now = self._clock.now()
            check_can_decide(room)
            if decision is Action.APPROVED:
                booking.approve(by=actor.id, at=now, reason=reason)
            else:
                booking.reject(by=actor.id, at=now, reason=reason or "")
            await uow.bookings.save(booking)
            await uow.commit()
        return booking


class GetBooking:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User, booking_id: UUID) -> Booking:
        async with self._uow(read_only=True) as uow:
            return await _visible_booking(uow, actor, booking_id)


class ListBookings:
    """Students see their own bookings only; staff and admins see everyone's."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, actor: User, filter: BookingFilter, page: PageRequest
    ) -> Page[Booking]:
        if not may(actor, Capability.MANAGE_ALL_BOOKINGS):
            filter = replace(filter, requester_id=actor.id)
        async with self._uow(read_only=True) as uow:
            return await uow.bookings.search(filter, page)


async def _locked_booking(
    uow: UnitOfWork, actor: User, booking_id: UUID, *, needs: Capability | None = None
) -> tuple[User, Room, Booking]:
    """The actor, the booking's room and the booking, locked in that order and read afresh.

    Every writer of a booking takes the same locks in the same order, so two changes to one
    booking run one after the other, the second seeing what the first wrote. The capability
    the change `needs` is checked on the locked actor, before the booking is looked at.
    """
    actor = await lock_actor(uow, actor)
    if needs is not None:
        check_may(actor, needs)
    room = await uow.rooms.lock_of_booking(booking_id)
    booking = await uow.bookings.get(booking_id, lock=True) if room else None
    if room is None or booking is None:
        raise NotFound("Booking not found.")
    check_can_see(actor, booking)
    return actor, room, booking


async def _visible_booking(uow: UnitOfWork, actor: User, booking_id: UUID) -> Booking:
    booking = await uow.bookings.get(booking_id)
    if booking is None:
        raise NotFound("Booking not found.")
    check_can_see(actor, booking)
    return booking
