"""Use-cases of booking series: preview, create, look up, decide, change, cancel, re-add.

Each occurrence is a booking, checked by the rules of a single booking (series_checks.py) and
written with the others in one transaction: all or nothing with `on_conflict="fail"`, every
bookable occurrence with `"skip"` (the rest kept on the series with why). Writers take the
locks a single booking's writer takes, in the same order: the actor, the room, the series,
then the occurrences; so a series and a booking in the same room are checked one after the
other, never both against the same free time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import NamedTuple
from uuid import UUID

from campus_booking.application.actors import lock_actor, lock_actor_and
from campus_booking.application.idempotency import IdempotencyKey, remember, replay_if_answered
from campus_booking.application.ports import (
    Clock,
    RecurrenceExpander,
    UnitOfWork,
    UnitOfWorkFactory,
)
from campus_booking.application.queries import Page, PageRequest, SeriesFilter
from campus_booking.application.series_checks import (
    OccurrenceCheck,
    check_occurrences,
    read_calendar,
)
from campus_booking.domain.access import check_can_decide
from campus_booking.domain.approval import needs_approval
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus, clean_reason
from campus_booking.domain.errors import InvalidTransition, InvalidValue, NotFound
from campus_booking.domain.permissions import Capability, check_may, may
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import (
    Blocked,
    BookingSeries,
    SeriesBlocked,
    SeriesStatus,
    expansion_limit,
    first_local_start,
    instant_of,
    local_wall_time,
    occurrence_slots,
)
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.time_zones import check_time_zone, zone_of
from campus_booking.domain.users import User


class OnConflict(StrEnum):
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True, slots=True)
class CreateSeriesCommand:
    room_id: UUID
    title: str
    starts_at: datetime
    ends_at: datetime
    recurrence: str
    attendees: int = 1
    time_zone: str | None = None  # None: the room's
    exdates: Sequence[date] = ()
    on_conflict: OnConflict = OnConflict.FAIL


@dataclass(frozen=True, slots=True)
class ChangeSeriesCommand:
    """`None` leaves a field as it is; `start_time`/`end_time` are local `HH:MM`, applied to
    each occurrence on its own date; `since` limits the change to the local dates from it on."""

    title: str | None = None
    attendees: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    since: date | None = None
    on_conflict: OnConflict = OnConflict.FAIL


@dataclass(frozen=True, slots=True)
class SeriesView:
    """A series with its occurrences (by start) and its status, read off them."""

    series: BookingSeries
    occurrences: list[Booking]
    now: datetime  # when it was read: an occurrence that ended undecided awaits nothing

    @property
    def status(self) -> SeriesStatus:
        return SeriesStatus.of(self.occurrences, self.now)


class _SeriesUseCase:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        rules: BookingRules,
        expander: RecurrenceExpander,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules
        self._expander = expander

    def _slots(
        self, command: CreateSeriesCommand, room: Room
    ) -> tuple[str, Recurrence, list[TimeSlot]]:
        """The zone, the rule and every occurrence's slot; raises `InvalidValue` naming the
        field at fault."""
        rule = Recurrence.parse(command.recurrence)
        zone_name = check_time_zone(command.time_zone) if command.time_zone else room.time_zone
        zone = zone_of(zone_name)
        first = TimeSlot(command.starts_at, command.ends_at)
        starts = self._expander(
            rule, first_local_start(first, zone), expansion_limit(command.exdates)
        )
        return zone_name, rule, occurrence_slots(first, zone, rule, starts, command.exdates)


class PreviewSeries(_SeriesUseCase):
    """`POST /booking-series` as a question: every occurrence, bookable or not, and why.

    Nothing is locked and nothing written: the series is checked again when it is made.
    """

    async def __call__(self, actor: User, command: CreateSeriesCommand) -> list[OccurrenceCheck]:
        async with self._uow(read_only=True) as uow:
            room = await _room(uow, command.room_id)
            _zone, _rule, slots = self._slots(command, room)
            now = self._clock.now()
            return await check_occurrences(
                uow, self._rules, actor, room, slots, command.attendees, now
            )


class CreateSeries(_SeriesUseCase):
    async def __call__(
        self,
        actor: User,
        command: CreateSeriesCommand,
        key: IdempotencyKey[SeriesView] | None = None,
    ) -> SeriesView:
        async with self._uow() as uow:
            await replay_if_answered(uow, actor.id, key, self._clock.now())
            actor = await lock_actor(uow, actor)
            room = await _room(uow, command.room_id, lock=True)
            zone_name, rule, slots = self._slots(command, room)
            now = self._clock.now()
            checks = await check_occurrences(
                uow, self._rules, actor, room, slots, command.attendees, now
            )
            blocked = [check.blocked for check in checks if check.blocked is not None]
            bookable = [check.slot for check in checks if check.bookable]
            if blocked and (command.on_conflict is OnConflict.FAIL or not bookable):
                raise SeriesBlocked(blocked)
            series = BookingSeries.create(
                room_id=room.id,
                requester_id=actor.id,
                title=command.title,
                attendees=command.attendees,
                time_zone=zone_name,
                recurrence=rule,
                exdates=command.exdates,
                first=TimeSlot(command.starts_at, command.ends_at),
                skipped=blocked,
                now=now,
            )
            occurrences = [_occurrence(series, room, actor, slot, now) for slot in bookable]
            await uow.series.add(series)
            await uow.bookings.add_many(occurrences)
            made = SeriesView(series, occurrences, now)
            await remember(uow, actor.id, key, made, now)
            await uow.commit()
        return made


class GetSeries:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, series_id: UUID) -> SeriesView:
        async with self._uow(read_only=True) as uow:
            series = await uow.series.get(series_id)
            _check_can_see(actor, series)
            assert series is not None
            occurrences = await uow.bookings.of_series([series.id])
            return SeriesView(series, occurrences, self._clock.now())


class ListSeries:
    """Students see their own series only; staff and admins see everyone's."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self, actor: User, filter: SeriesFilter, page: PageRequest
    ) -> Page[SeriesView]:
        if not may(actor, Capability.MANAGE_ALL_BOOKINGS):
            filter = replace(filter, requester_id=actor.id)
        async with self._uow(read_only=True) as uow:
            found = await uow.series.search(filter, page)
            occurrences = await uow.bookings.of_series([series.id for series in found.items])
        by_series: dict[UUID, list[Booking]] = {series.id: [] for series in found.items}
        for booking in occurrences:
            if booking.series_id in by_series:
                by_series[booking.series_id].append(booking)
        now = self._clock.now()
        return Page(
            [SeriesView(series, by_series[series.id], now) for series in found.items],
            found.total,
            found.limit,
            found.offset,
        )


class DecideSeries:
    """Approve or reject every PENDING occurrence of a series at once."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def approve(
        self,
        actor: User,
        series_id: UUID,
        reason: str | None = None,
        key: IdempotencyKey[SeriesView] | None = None,
    ) -> SeriesView:
        return await self._decide(actor, series_id, approve=True, reason=reason, key=key)

    async def reject(
        self,
        actor: User,
        series_id: UUID,
        reason: str,
        key: IdempotencyKey[SeriesView] | None = None,
    ) -> SeriesView:
        check_may(actor, Capability.DECIDE_BOOKINGS)
        if not reason.strip():
            raise InvalidValue("reason", "must say why the series is rejected")
        return await self._decide(actor, series_id, approve=False, reason=reason, key=key)

    async def _decide(
        self,
        actor: User,
        series_id: UUID,
        *,
        approve: bool,
        reason: str | None,
        key: IdempotencyKey[SeriesView] | None,
    ) -> SeriesView:
        clean_reason(reason)  # a bad reason is refused before anything is locked
        async with self._uow() as uow:
            await replay_if_answered(uow, actor.id, key, self._clock.now())
            actor, _, room, series, occurrences = await _locked_series(
                uow, actor, series_id, needs=Capability.DECIDE_BOOKINGS
            )
            now = self._clock.now()
            check_can_decide(room)
            pending = [
                b for b in occurrences if b.status is BookingStatus.PENDING and b.slot.end > now
            ]
            if not pending:
                raise InvalidTransition("The series has no PENDING occurrence left to decide.")
            for booking in pending:
                if approve:
                    booking.approve(by=actor.id, at=now, reason=reason)
                else:
                    booking.reject(by=actor.id, at=now, reason=reason)
            await uow.bookings.save_many(pending)
            decided = SeriesView(series, occurrences, now)
            await remember(uow, actor.id, key, decided, now)
            await uow.commit()
        return decided


class CancelSeries:
    """Cancel every occurrence that has not started, or those from a local date on."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(
        self,
        actor: User,
        series_id: UUID,
        since: date | None = None,
        key: IdempotencyKey[SeriesView] | None = None,
    ) -> SeriesView:
        async with self._uow() as uow:
            await replay_if_answered(uow, actor.id, key, self._clock.now())
            actor, _, _, series, occurrences = await _locked_series(uow, actor, series_id)
            now = self._clock.now()
            cancelled = _upcoming(series, occurrences, now, since)
            if not cancelled:
                raise InvalidTransition("The series has no upcoming occurrence to cancel.")
            for booking in cancelled:
                booking.cancel(by=actor.id, at=now)
            await uow.bookings.save_many(cancelled)
            left = SeriesView(series, occurrences, now)
            await remember(uow, actor.id, key, left, now)
            await uow.commit()
        return left


class ChangeSeries(_SeriesUseCase):
    """Change the occurrences that have not started (or those from a local date on): title,
    attendees, and local start and end times, each on its own date, checked like new bookings."""

    async def __call__(
        self, actor: User, series_id: UUID, command: ChangeSeriesCommand
    ) -> SeriesView:
        async with self._uow() as uow:
            actor, requester, room, series, occurrences = await _locked_series(
                uow, actor, series_id, with_requester=True
            )
            now = self._clock.now()
            upcoming = _upcoming(series, occurrences, now, command.since)
            if not upcoming:
                raise InvalidTransition("The series has no upcoming occurrence to change.")
            changing = await self._movable(uow, requester, room, series, upcoming, command, now)
            for booking, slot in changing:
                booking.change(
                    slot=slot,
                    title=command.title,
                    attendees=command.attendees,
                    needs_approval=needs_approval(actor, room),
                    in_series=True,
                    by=actor.id,
                    at=now,
                )
            series.change(
                title=command.title,
                attendees=command.attendees,
                # the series' own times (for dates booked back) follow only a move of them all
                first=_moved_first(series, command) if len(changing) == len(upcoming) else None,
                by=actor.id,
                at=now,
            )
            await uow.series.save(series)
            await uow.bookings.save_many([booking for booking, _ in changing])
            await uow.commit()
        return SeriesView(series, occurrences, now)

    async def _movable(
        self,
        uow: UnitOfWork,
        requester: User,
        room: Room,
        series: BookingSeries,
        upcoming: list[Booking],
        command: ChangeSeriesCommand,
        now: datetime,
    ) -> list[tuple[Booking, TimeSlot]]:
        """The occurrences the change may apply to, each with its new slot: all of them, or
        with "skip" those not blocked. One that cannot move keeps its time, which then stands
        in the others' way and counts in their quotas: the rest are checked again, in memory,
        until all left can move. A change that none can take is refused as with "fail"."""
        changing = [(booking, _moved(series, booking.slot, command)) for booking in upcoming]
        moves = command.start_time is not None or command.end_time is not None
        slots = [slot for _, slot in changing]
        calendar = await read_calendar(uow, self._rules, requester, room, slots, now)
        refused: list[Blocked] = []
        while changing:
            checks = calendar.check(
                [slot for _, slot in changing],
                [
                    booking.attendees if command.attendees is None else command.attendees
                    for booking, _ in changing
                ],
                now,
                replacing=[booking.slot for booking, _ in changing],
                check_hours=moves,  # hours set since do not block other edits, as for one booking
            )
            blocked = [check.blocked for check in checks if check.blocked is not None]
            if not blocked:
                return changing
            if command.on_conflict is OnConflict.FAIL:
                raise SeriesBlocked(blocked)
            refused += blocked
            changing = [
                pair for pair, check in zip(changing, checks, strict=True) if check.bookable
            ]
        raise SeriesBlocked(sorted(refused, key=lambda blocked: blocked.slot.start))


class AddOccurrence(_SeriesUseCase):
    """Book a skipped or cancelled date of a series back into it, at the series' local times."""

    async def __call__(self, actor: User, series_id: UUID, day: date) -> SeriesView:
        async with self._uow() as uow:
            actor, requester, room, series, occurrences = await _locked_series(
                uow, actor, series_id, with_requester=True
            )
            now = self._clock.now()
            slot = _slot_on(series, occurrences, day)
            (check,) = await check_occurrences(
                uow, self._rules, requester, room, [slot], series.attendees, now
            )
            if check.blocked is not None:
                raise SeriesBlocked([check.blocked])
            booking = _occurrence(series, room, actor, slot, now, requester=requester)
            series.unskip(day, by=actor.id, at=now)
            await uow.series.save(series)
            await uow.bookings.add_many([booking])
            await uow.commit()
        occurrences.append(booking)
        occurrences.sort(key=lambda b: (b.slot.start, b.id.int))
        return SeriesView(series, occurrences, now)


async def _room(uow: UnitOfWork, room_id: UUID, *, lock: bool = False) -> Room:
    room = await uow.rooms.get(room_id, lock=lock)
    if room is None:
        raise NotFound("Room not found.")
    return room


def _occurrence(
    series: BookingSeries,
    room: Room,
    actor: User,
    slot: TimeSlot,
    now: datetime,
    *,
    requester: User | None = None,
) -> Booking:
    """An occurrence is the requester's booking; approval is needed as the actor would need
    it for a booking of their own (staff re-adding a student's date approve it by doing so)."""
    return Booking.request(
        room_id=room.id,
        requester_id=(requester or actor).id,
        slot=slot,
        title=series.title,
        attendees=series.attendees,
        needs_approval=needs_approval(actor, room),
        now=now,
        series_id=series.id,
    )


def _check_can_see(actor: User, series: BookingSeries | None) -> None:
    """Another student's series is not found, as their bookings are not."""
    if series is None or (
        series.requester_id != actor.id and not may(actor, Capability.MANAGE_ALL_BOOKINGS)
    ):
        raise NotFound("Booking series not found.")


class _Locked(NamedTuple):
    actor: User
    requester: User  # whose quotas a change counts: the series', whoever changes it
    room: Room
    series: BookingSeries
    occurrences: list[Booking]


async def _locked_series(
    uow: UnitOfWork,
    actor: User,
    series_id: UUID,
    *,
    needs: Capability | None = None,
    with_requester: bool = False,
) -> _Locked:
    """The actor (and, `with_requester`, the series' requester with it, in id order), the
    room, the series and its occurrences, locked in that order. A change that counts the
    requester's quotas holds their row, so it queues behind their own booking requests."""
    found = await uow.series.get(series_id)  # whose it is never changes
    requester_id = found.requester_id if found and with_requester else actor.id
    actor, requester = await lock_actor_and(uow, actor, requester_id)
    if needs is not None:
        check_may(actor, needs)
    _check_can_see(actor, found)
    assert found is not None
    if requester is None:  # accounts are never deleted
        raise NotFound("Booking series not found.")
    room = await _room(uow, found.room_id, lock=True)
    series = await uow.series.get(series_id, lock=True)
    assert series is not None  # series are never deleted
    occurrences = await uow.bookings.of_series([series.id], lock=True)
    return _Locked(actor, requester, room, series, occurrences)


def _upcoming(
    series: BookingSeries, occurrences: Sequence[Booking], now: datetime, since: date | None
) -> list[Booking]:
    """The active occurrences that have not started, those from local date `since` on."""
    zone = series.zone
    return [
        booking
        for booking in occurrences
        if booking.is_active
        and booking.slot.start > now
        and (since is None or local_wall_time(booking.slot.start, zone).date() >= since)
    ]


def _moved(series: BookingSeries, slot: TimeSlot, command: ChangeSeriesCommand) -> TimeSlot:
    """`slot` with the new local times on its own date; an end not after the start is on the
    next day."""
    if command.start_time is None and command.end_time is None:
        return slot
    zone = series.zone
    start = local_wall_time(slot.start, zone)
    end = local_wall_time(slot.end, zone)
    day = start.date()
    new_start = datetime.combine(day, command.start_time) if command.start_time else start
    if command.end_time is None:  # a new start alone moves the occurrence, keeping its length
        new_end = new_start + (end - start)
    else:
        new_end = datetime.combine(day, command.end_time)
        if new_end <= new_start:
            new_end = datetime.combine(day + timedelta(days=1), new_end.time())
    return TimeSlot(instant_of(new_start, zone), instant_of(new_end, zone))


def _moved_first(series: BookingSeries, command: ChangeSeriesCommand) -> TimeSlot | None:
    """The series' own local times follow a change of every upcoming occurrence's times, so
    that a date booked back later gets them too."""
    if command.since is not None:
        return None
    moved = _moved(series, series.first, command)
    return moved if moved != series.first else None


def _slot_on(series: BookingSeries, occurrences: Sequence[Booking], day: date) -> TimeSlot:
    """The slot of local date `day`, if the series skipped it or its occurrence was cancelled."""
    zone = series.zone

    def on_day(start: datetime) -> bool:
        return local_wall_time(start, zone).date() == day

    booked = [b for b in occurrences if on_day(b.occurrence_start or b.slot.start)]
    skipped = any(on_day(blocked.slot.start) for blocked in series.skipped)
    cancelled = bool(booked) and all(b.status is BookingStatus.CANCELLED for b in booked)
    if (skipped and not any(b.is_active for b in booked)) or cancelled:
        return series.slot_on(day)
    raise InvalidValue("date", "is not a skipped or cancelled date of the series")
