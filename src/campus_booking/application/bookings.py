"""Use-cases of bookings: request, change, cancel, decide, and look them up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple
from uuid import UUID

from campus_booking.application.actors import lock_actor, lock_actor_and
from campus_booking.application.booking_limits import rules_broken
from campus_booking.application.idempotency import IdempotencyKey, remember, replay_if_answered
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
from campus_booking.domain.errors import (
    InvalidValue,
    NotFound,
    RulesBroken,
    SlotTaken,
    Violation,
)
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
    override_policy: bool = False  # staff and admins only: skip the room's policy


@dataclass(frozen=True, slots=True)
class ChangeBookingCommand:
    """`None` leaves a field as it is."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    title: str | None = None
    attendees: int | None = None
    override_policy: bool = False


@dataclass(frozen=True, slots=True)
class BookingCheck:
    """What `POST /bookings` would answer, without booking: every rule broken, and the
    times of the bookings in the way."""

    violations: list[Violation]
    conflicts: list[tuple[datetime, datetime]]
    closures: list[tuple[datetime, datetime, str]] = field(default_factory=list)

    @property
    def bookable(self) -> bool:
        return not self.violations and not self.conflicts and not self.closures


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


def _check_override(actor: User, override_policy: bool) -> None:
    if override_policy:
        check_may(actor, Capability.OVERRIDE_BOOKING_POLICY)


class CreateBooking(_SlotHolder):
    async def __call__(
        self,
        actor: User,
        command: CreateBookingCommand,
        key: IdempotencyKey[Booking] | None = None,
    ) -> Booking:
        _check_override(actor, command.override_policy)
        slot = TimeSlot(command.starts_at, command.ends_at)
        try:
            async with self._uow() as uow:
                await replay_if_answered(uow, actor.id, key, self._clock.now())
                actor = await lock_actor(uow, actor)
                _check_override(actor, command.override_policy)  # the role may have changed
                room = await self._room(uow, command.room_id)
                now = self._clock.now()  # once the locks are held: the times follow their order
                violations = await rules_broken(
                    uow,
                    self._rules,
                    actor,
                    room,
                    slot,
                    command.attendees,
                    now,
                    override_policy=command.override_policy,
                )
                if violations:
                    raise RulesBroken(violations)
                clashes = await uow.bookings.overlapping(room.id, slot)
                booking = Booking.request(
                    room_id=room.id,
                    requester_id=actor.id,
                    slot=slot,
                    title=command.title,
                    attendees=command.attendees,
                    needs_approval=needs_approval(actor, room),
                    now=now,
                    override_policy=command.override_policy,
                )
                closures = await uow.closures.overlapping(room.id, slot)
                if clashes or closures:  # after the rules: a request they refuse is refused so
                    raise _slot_taken(clashes, closures)
                await uow.bookings.add(booking)
                await remember(uow, actor.id, key, booking, now)
                await uow.commit()
        except SlotTaken as error:
            raise await self._explain(error, booking) from error
        return booking


class ChangeBooking(_SlotHolder):
    async def __call__(
        self, actor: User, booking_id: UUID, command: ChangeBookingCommand
    ) -> Booking:
        _check_override(actor, command.override_policy)
        try:
            async with self._uow() as uow:
                actor, requester, room, booking = await _locked_booking(
                    uow, actor, booking_id, with_requester=True
                )
                _check_override(actor, command.override_policy)
                now = self._clock.now()
                check_can_change(actor, booking, now)
                slot = TimeSlot(
                    command.starts_at or booking.slot.start, command.ends_at or booking.slot.end
                )
                attendees = booking.attendees if command.attendees is None else command.attendees
                violations = await rules_broken(
                    uow,
                    self._rules,
                    requester,
                    room,
                    slot,
                    attendees,
                    now,
                    ignore=booking.id,
                    # hours set since it was made do not block other edits of a booking
                    check_hours=slot != booking.slot,
                    override_policy=command.override_policy,
                )
                if violations:
                    raise RulesBroken(violations)
                booking.change(
                    slot=slot,
                    title=command.title,
                    attendees=command.attendees,
                    needs_approval=needs_approval(actor, room),
                    override_policy=command.override_policy,
                    by=actor.id,
                    at=now,
                )
                await self._check_free(uow, booking)
                await uow.bookings.save(booking)
                await uow.commit()
        except SlotTaken as error:
            raise await self._explain(error, booking) from error
        return booking


class CheckBooking:
    """`POST /bookings` as a question: the same rules for the same caller, writing nothing.

    Nothing is locked either: the answer is a preview, and the booking itself is checked
    again when it is made.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, rules: BookingRules) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules

    async def __call__(self, actor: User, command: CreateBookingCommand) -> BookingCheck:
        _check_override(actor, command.override_policy)
        slot = TimeSlot(command.starts_at, command.ends_at)
        async with self._uow(read_only=True) as uow:
            room = await uow.rooms.get(command.room_id)
            if room is None:
                raise NotFound("Room not found.")
            now = self._clock.now()
            violations = await rules_broken(
                uow,
                self._rules,
                actor,
                room,
                slot,
                command.attendees,
                now,
                override_policy=command.override_policy,
            )
            clashes = await uow.bookings.overlapping(room.id, slot)
            closures = await uow.closures.overlapping(room.id, slot)
        return BookingCheck(
            violations,
            [(clash.slot.start, clash.slot.end) for clash in clashes],
            [(c.period.start, c.period.end, c.reason) for c in closures],
        )


class CancelBooking:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, actor: User, booking_id: UUID, key: IdempotencyKey[Booking] | None = None
    ) -> Booking:
        async with self._uow() as uow:
            await replay_if_answered(uow, actor.id, key, self._clock.now())
            actor, _, _, booking = await _locked_booking(uow, actor, booking_id)
            now = self._clock.now()
            check_can_cancel(actor, booking, now)
            booking.cancel(by=actor.id, at=now)
            await uow.bookings.save(booking)
            await remember(uow, actor.id, key, booking, now)
            await uow.commit()
        return booking


class DecideBooking:
    """Approve or reject a PENDING booking, recording who decided, when and why."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def approve(
        self,
        actor: User,
        booking_id: UUID,
        reason: str | None = None,
        key: IdempotencyKey[Booking] | None = None,
    ) -> Booking:
        return await self._decide(actor, booking_id, Action.APPROVED, reason, key)

    async def reject(
        self,
        actor: User,
        booking_id: UUID,
        reason: str,
        key: IdempotencyKey[Booking] | None = None,
    ) -> Booking:
        check_may(actor, Capability.DECIDE_BOOKINGS)  # early: before the reason is looked at
        if not reason.strip():
            raise InvalidValue("reason", "must say why the booking is rejected")
        return await self._decide(actor, booking_id, Action.REJECTED, reason, key)

    async def _decide(
        self,
        actor: User,
        booking_id: UUID,
        decision: Action,
        reason: str | None,
        key: IdempotencyKey[Booking] | None,
    ) -> Booking:
        async with self._uow() as uow:
            await replay_if_answered(uow, actor.id, key, self._clock.now())
            actor, _, room, booking = await _locked_booking(
                uow, actor, booking_id, needs=Capability.DECIDE_BOOKINGS
            )
            now = self._clock.now()
            check_can_decide(room)
            if decision is Action.APPROVED:
                booking.approve(by=actor.id, at=now, reason=reason)
            else:
                booking.reject(by=actor.id, at=now, reason=reason or "")
            await uow.bookings.save(booking)
            await remember(uow, actor.id, key, booking, now)
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


class _Locked(NamedTuple):
    actor: User
    requester: User  # whose quotas a change counts: the booking's, whoever changes it
    room: Room
    booking: Booking


async def _locked_booking(
    uow: UnitOfWork,
    actor: User,
    booking_id: UUID,
    *,
    needs: Capability | None = None,
    with_requester: bool = False,
) -> _Locked:
    """The actor (and, `with_requester`, the booking's requester with it, in id order), the
    booking's room and the booking, locked in that order and read afresh.

    Every writer of a booking takes the same locks in the same order, so two changes to one
    booking run one after the other, the second seeing what the first wrote; a change that
    counts the requester's quotas holds their row, so it queues behind their own requests. The
    capability the change `needs` is checked on the locked actor, before the booking is looked
    at.
    """
    requester_id = actor.id
    if with_requester:
        found = await uow.bookings.get(booking_id)  # whose it is never changes
        requester_id = found.requester_id if found else actor.id
    actor, requester = await lock_actor_and(uow, actor, requester_id)
    if needs is not None:
        check_may(actor, needs)
    room = await uow.rooms.lock_of_booking(booking_id)
    booking = await uow.bookings.get(booking_id, lock=True) if room else None
    if room is None or booking is None or requester is None:
        raise NotFound("Booking not found.")
    check_can_see(actor, booking)
    return _Locked(actor, requester, room, booking)


async def _visible_booking(uow: UnitOfWork, actor: User, booking_id: UUID) -> Booking:
    booking = await uow.bookings.get(booking_id)
    if booking is None:
        raise NotFound("Booking not found.")
    check_can_see(actor, booking)
    return booking
