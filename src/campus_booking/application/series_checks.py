"""What blocks each occurrence of a series: the rules of a single booking, read once for all.

A series of 365 occurrences is checked with the same few statements as one booking (the
room's opening hours, closures and bookings over the whole span, the policy, the requester's
usage), then occurrence by occurrence in memory. Quotas count every occurrence found bookable
before the one being checked, as if each had been booked in turn. The caller holds the
requester's and the room's locks, as a single booking's writer does, so nothing read here can
change before the write.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campus_booking.application.ports import UnitOfWork
from campus_booking.application.queries import RoomSelection
from campus_booking.domain.booking_checks import (
    Usage,
    policy_violations,
    quota_window,
    room_violations,
)
from campus_booking.domain.booking_policies import PolicyLimits
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.opening_hours import OpeningHours, dates_touching
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import Blocked
from campus_booking.domain.time_slots import LONGEST_SLOT, TimeSlot
from campus_booking.domain.users import User

_FORTNIGHT = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class OccurrenceCheck:
    slot: TimeSlot
    blocked: Blocked | None = None

    @property
    def bookable(self) -> bool:
        return self.blocked is None


@dataclass(slots=True)
class _Taken:
    """Slots already held, by start: the room's other bookings, then each occurrence found
    bookable, so that occurrences cannot clash with one another either."""

    slots: list[TimeSlot] = field(default_factory=list)

    def clashes(self, slot: TimeSlot) -> list[TimeSlot]:
        # No booking lasts longer than a day, so a clash starts at most a day before.
        low = bisect.bisect_left(self.slots, slot.start - LONGEST_SLOT, key=_start)
        high = bisect.bisect_left(self.slots, slot.end, key=_start)
        return [other for other in self.slots[low:high] if other.overlaps(slot)]

    def add(self, slot: TimeSlot) -> None:
        bisect.insort(self.slots, slot, key=_start)


@dataclass(frozen=True, slots=True)
class SeriesCalendar:
    """What occurrences are checked against, read once: a series being moved is checked again
    in memory, without the occurrences that could not move, as often as it takes."""

    room: Room
    hours: OpeningHours
    closures: list[Closure]
    others: list[TimeSlot]  # the room's active bookings, by start
    limits: PolicyLimits
    held: list[TimeSlot]  # the requester's bookings the quotas count, by start
    upcoming: int

    def check(
        self,
        slots: Sequence[TimeSlot],
        attendees: Sequence[int],
        now: datetime,
        *,
        replacing: Sequence[TimeSlot] = (),
        check_hours: bool = True,
    ) -> list[OccurrenceCheck]:
        """Every occurrence, in order, with what blocks it; `attendees` are each one's.
        `replacing` are the slots of active occurrences being moved: they are counted nowhere,
        since they make way for `slots`. `check_hours` is False for a change that leaves the
        occurrences' times as they are, as for a single booking."""
        room, zone = self.room, self.room.zone
        taken = _Taken(_without(self.others, replacing))
        held = _without(self.held, replacing)
        upcoming = self.upcoming - sum(1 for slot in replacing if slot.end > now)
        has_quotas = self.limits.has_quotas
        checks = []
        for slot, people in zip(slots, attendees, strict=True):
            violations = room_violations(room, slot, people, now)
            if check_hours:
                violations += self.hours.violations(slot, zone)
            usage = Usage(_near(held, slot), upcoming) if has_quotas else None
            violations += policy_violations(self.limits, slot=slot, now=now, zone=zone, usage=usage)
            in_the_way = taken.clashes(slot)
            closed = [c for c in self.closures if c.period.overlaps(slot)]
            if violations or in_the_way or closed:
                blocked = Blocked(
                    slot,
                    tuple((other.start, other.end) for other in in_the_way),
                    tuple((c.period.start, c.period.end, c.reason) for c in closed),
                    tuple(violations),
                )
                checks.append(OccurrenceCheck(slot, blocked))
                continue
            checks.append(OccurrenceCheck(slot))
            taken.add(slot)
            bisect.insort(held, slot, key=_start)
            if slot.end > now:
                upcoming += 1
        return checks


async def read_calendar(
    uow: UnitOfWork,
    rules: BookingRules,
    requester: User,
    room: Room,
    slots: Sequence[TimeSlot],
    now: datetime,
) -> SeriesCalendar:
    """The room's hours, closures and bookings over the span of `slots`, its policy and the
    requester's usage: five statements at most, whatever the number of occurrences."""
    zone = room.zone
    earliest = min(slots, key=_start)
    latest = max(slots, key=_start)
    span = Period(earliest.start, max(slot.end for slot in slots))
    first, last = dates_touching(span.start, span.end, zone)
    hours = await uow.opening_hours.between(room.id, first, last)
    closures = await uow.closures.in_rooms(RoomSelection.of(room.id), span)
    others = await uow.bookings.times_within(room.id, span)
    policy = await uow.policies.get(room.policy_id) if room.policy_id else None
    limits = rules.limits_for(policy, requester)
    held: list[TimeSlot] = []
    upcoming = 0
    if limits.has_quotas:
        window = None
        if limits.counts_minutes:
            window = (quota_window(earliest, zone)[0], quota_window(latest, zone)[1])
        found = await uow.bookings.usage_of_requester(requester.id, room.policy_id, window, now)
        held, upcoming = sorted(found.slots, key=_start), found.upcoming
    return SeriesCalendar(room, hours, closures, sorted(others, key=_start), limits, held, upcoming)


async def check_occurrences(
    uow: UnitOfWork,
    rules: BookingRules,
    requester: User,
    room: Room,
    slots: Sequence[TimeSlot],
    attendees: int,
    now: datetime,
) -> list[OccurrenceCheck]:
    """Every occurrence of a new series (or a date booked back), in order, with what blocks
    it."""
    if not slots:
        return []
    calendar = await read_calendar(uow, rules, requester, room, slots, now)
    return calendar.check(slots, [attendees] * len(slots), now)


def _start(slot: TimeSlot) -> datetime:
    return slot.start


def _without(slots: Sequence[TimeSlot], removed: Sequence[TimeSlot]) -> list[TimeSlot]:
    """`slots` less one of each of `removed` (a multiset difference)."""
    left = Counter(removed)
    kept = []
    for slot in slots:
        if left[slot]:
            left[slot] -= 1
        else:
            kept.append(slot)
    return kept


def _near(held: list[TimeSlot], slot: TimeSlot) -> list[TimeSlot]:
    """The held slots that can share a local week with `slot`: the quotas look no further.
    Two weeks either side covers any zone's offsets."""
    low = bisect.bisect_left(held, slot.start - _FORTNIGHT, key=_start)
    high = bisect.bisect_right(held, slot.end + _FORTNIGHT, key=_start)
    return held[low:high]
