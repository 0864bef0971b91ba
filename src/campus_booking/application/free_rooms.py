"""Free-room search: the rooms the caller could book for a slot right now, best fit first,
and ranked alternatives when fewer rooms are free than asked for.

The candidate rooms' calendars around the slot are read in a constant number of statements
(rooms, opening hours, bookings, closures, policies, the caller's own bookings), then every
slot is decided in memory by the rules of a booking request, for this caller and with no
override, so that search and booking agree. Nothing is locked: as `POST /bookings/check`, the
answer holds at the moment it is given.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from campus_booking.application.calendars import Calendar, read_calendar
from campus_booking.application.ports import Clock, UnitOfWorkFactory
from campus_booking.application.queries import RoomFilter, RoomSelection
from campus_booking.domain.alternatives import Alternative, AlternativeKind, other_times, shorter
from campus_booking.domain.availability import (
    Interval,
    covers,
    merged,
    overlaps_any,
    subtracted,
)
from campus_booking.domain.booking_checks import Usage, policy_violations, room_violations
from campus_booking.domain.booking_policies import PolicyLimits
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.closures import Period
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.local_time import day_start, local_date
from campus_booking.domain.opening_hours import EARLIEST, LATEST
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.time_zones import zone_of
from campus_booking.domain.users import User

MAX_RESULTS = 100
DEFAULT_RESULTS = 10
# A slot's local ISO week starts at most this long before it: the caller's bookings from then
# on are all that any quota of the slot's day and week can count.
QUOTA_LOOKBACK = timedelta(days=8)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class FreeRoomQuery:
    starts_at: datetime
    ends_at: datetime
    min_capacity: int | None = None  # also the attendees the rules count
    building: str | None = None
    features: frozenset[str] = frozenset()
    limit: int = DEFAULT_RESULTS

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_RESULTS:
            raise InvalidValue("limit", f"must be between 1 and {MAX_RESULTS}")


@dataclass(frozen=True, slots=True)
class FreeRooms:
    items: list[Room]
    alternatives: list[Alternative]


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One matching room around the asked slot, with the caller's rules for it."""

    room: Room
    limits: PolicyLimits
    usage: Usage | None
    day: Interval  # the local day of the asked start
    open_time: list[Interval]
    busy: list[Interval]

    def bookable(self, slot: TimeSlot, attendees: int, now: datetime) -> bool:
        return (
            covers(self.open_time, slot)
            and not overlaps_any(self.busy, slot)
            and not room_violations(self.room, slot, attendees, now)
            and not policy_violations(
                self.limits, slot=slot, now=now, zone=self.room.zone, usage=self.usage
            )
        )


class FindFreeRooms:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, rules: BookingRules) -> None:
        self._uow = uow
        self._clock = clock
        self._rules = rules

    async def __call__(self, actor: User, query: FreeRoomQuery) -> FreeRooms:
        asked = TimeSlot(query.starts_at, query.ends_at)
        if not EARLIEST + 2 * QUOTA_LOOKBACK <= asked.start <= LATEST - 2 * QUOTA_LOOKBACK:
            return FreeRooms([], [])  # at the ends of the calendar: past, or beyond any horizon
        selection = RoomSelection.matching(
            RoomFilter(
                min_capacity=query.min_capacity, building=query.building, features=query.features
            )
        )
        async with self._uow(read_only=True) as uow:
            rooms = await uow.rooms.selected(selection)
            if not rooms:
                return FreeRooms([], [])
            now = self._clock.now()
            # The local day of the asked start, in each zone the rooms are in.
            days = {
                zone: _local_day(asked.start, zone_of(zone))
                for zone in {r.time_zone for r in rooms}
            }
            span = Period(
                min(asked.start, *(start for start, _ in days.values())),
                max(asked.end, *(end for _, end in days.values())),
            )
            calendar = await read_calendar(uow, selection, span)
            policy_ids = {room.policy_id for room in rooms}
            known = await uow.policies.get_many(filter(None, policy_ids))
            policies = {policy.id: policy for policy in known}
            limits = {
                policy_id: self._rules.limits_for(
                    policies.get(policy_id) if policy_id else None, actor
                )
                for policy_id in policy_ids
            }
            held: list[tuple[UUID | None, TimeSlot]] = []
            if any(policy_limits.has_quotas for policy_limits in limits.values()):
                since = min(now, asked.start - QUOTA_LOOKBACK)
                held = await uow.bookings.held_by_requester(actor.id, since)
        usages = {
            policy_id: _usage(held, policy_id, now) if policy_limits.has_quotas else None
            for policy_id, policy_limits in limits.items()
        }
        attendees = query.min_capacity or 1
        items: list[Room] = []
        taken: list[_Candidate] = []
        # Rooms come best fit first: the search stops at the `limit`-th free one.
        for candidate in _candidates(rooms, days, limits, usages, calendar, asked):
            if candidate.bookable(asked, attendees, now):
                items.append(candidate.room)
                if len(items) == query.limit:
                    return FreeRooms(items, [])
            else:
                taken.append(candidate)
        return FreeRooms(items, _alternatives(taken, asked, attendees, now, query.limit))


def _local_day(instant: datetime, zone: ZoneInfo) -> Interval:
    day = local_date(instant, zone)
    return day_start(day, zone), day_start(day + timedelta(days=1), zone)


def _candidates(
    rooms: Sequence[Room],
    days: dict[str, Interval],
    limits: dict[UUID | None, PolicyLimits],
    usages: dict[UUID | None, Usage | None],
    calendar: Calendar,
    asked: TimeSlot,
) -> Iterator[_Candidate]:
    # Rooms of a campus share a few sets of hours: each set's open time is reckoned once.
    open_times: dict[tuple[object, ...], list[Interval]] = {}
    for room in rooms:
        day = days[room.time_zone]
        start, end = min(day[0], asked.start), max(day[1], asked.end)
        hours = calendar.hours.get(room.id)  # none: open at all times
        key = (room.time_zone, start, end) + ((hours.weekly, hours.exceptions) if hours else ())
        if key not in open_times:
            open_times[key] = calendar.hours_of(room.id).open_intervals(start, end, room.zone)
        busy = merged(
            [(slot.start, slot.end) for slot, _ in calendar.booked[room.id]]
            + [(c.period.start, c.period.end) for c in calendar.closures[room.id]]
        )
        policy = room.policy_id
        yield _Candidate(room, limits[policy], usages[policy], day, open_times[key], busy)


def _usage(
    held: Iterable[tuple[UUID | None, TimeSlot]], policy_id: UUID | None, now: datetime
) -> Usage:
    """What the quotas of `policy_id` count: the caller's bookings in its rooms (those outside
    a quota's day or week count nothing there)."""
    slots = [slot for held_policy, slot in held if held_policy == policy_id]
    return Usage(slots=slots, upcoming=sum(1 for slot in slots if slot.end > now))


def _alternatives(
    candidates: Sequence[_Candidate], asked: TimeSlot, attendees: int, now: datetime, limit: int
) -> list[Alternative]:
    """Each room's best other time and best shorter stay that the rules allow, the `limit`
    least changed of them.

    A room's proposals come nearest first, so the first one the rules allow is its best; and
    since a proposal's rank only grows down its list, taking proposals from a heap checks each
    only once it could be next, never those ranked after the `limit`-th allowed one.
    """
    queue: list[tuple[tuple[object, ...], int, Alternative, Iterator[Alternative], _Candidate]] = []
    proposed: dict[tuple[object, ...], list[tuple[AlternativeKind, TimeSlot]]] = {}
    for order, candidate in enumerate(candidates):
        # Rooms alike in hours, bookings and rules propose alike: reckoned once.
        room = candidate.room
        key = (room.time_zone, id(candidate.open_time), tuple(candidate.busy), candidate.limits)
        if key not in proposed:
            proposed[key] = _proposals(candidate, asked, now)
        for kind in AlternativeKind:
            proposals = _of_kind(kind, proposed[key], candidate.room, asked)
            first = next(proposals, None)
            if first is not None:
                heapq.heappush(queue, (first.rank(), order, first, proposals, candidate))
    found: list[Alternative] = []
    while queue and len(found) < limit:
        _, order, alternative, rest, candidate = heapq.heappop(queue)
        if candidate.bookable(alternative.slot, attendees, now):
            found.append(alternative)
            continue
        following = next(rest, None)
        if following is not None:
            heapq.heappush(queue, (following.rank(), order, following, rest, candidate))
    return found


def _of_kind(
    kind: AlternativeKind,
    proposals: Iterable[tuple[AlternativeKind, TimeSlot]],
    room: Room,
    asked: TimeSlot,
) -> Iterator[Alternative]:
    for proposal_kind, slot in proposals:
        if proposal_kind is kind:
            yield Alternative(kind, room, slot, _deviation(kind, slot, asked))


def _proposals(
    candidate: _Candidate, asked: TimeSlot, now: datetime
) -> list[tuple[AlternativeKind, TimeSlot]]:
    limits, zone = candidate.limits, candidate.room.zone
    free = subtracted(candidate.open_time, candidate.busy)
    notice = (limits.min_notice_minutes or 0) * MINUTE
    proposals = [
        (AlternativeKind.OTHER_TIME, slot)
        for slot in other_times(
            free,
            asked,
            day=candidate.day,
            earliest=now + notice,
            step_minutes=limits.slot_minutes,
            zone=zone,
        )
    ]
    stay = shorter(
        free,
        asked,
        shortest=max(asked.duration / 2, (limits.min_duration_minutes or 0) * MINUTE),
        longest=limits.max_duration_minutes * MINUTE if limits.max_duration_minutes else None,
        step_minutes=limits.slot_minutes,
        zone=zone,
    )
    if stay is not None:
        proposals.append((AlternativeKind.SHORTER, stay))
    return proposals


def _deviation(kind: AlternativeKind, slot: TimeSlot, asked: TimeSlot) -> timedelta:
    """How far a proposal is from the ask: the shift of its start, or the time it loses."""
    if kind is AlternativeKind.OTHER_TIME:
        return abs(slot.start - asked.start)
    return asked.duration - slot.duration
