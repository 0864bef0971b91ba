"""Every rule a booking request breaks, with the requester's quotas counted so that
concurrency cannot slip a booking past them.

The caller has locked the requester's row first (`lock_actor`, or `lock_actor_and` when staff
change a student's booking) and then the room, so two requests counting one student's quotas,
in any rooms, are counted one after the other, each seeing the other once committed; the count
is one statement, whatever the number of bookings. On SQLite, writers run one at a time
already.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from campus_booking.application.opening_hours import opening_hours_violations
from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.booking_checks import (
    policy_violations,
    quota_window,
    room_violations,
)
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.errors import Violation
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User


async def rules_broken(
    uow: UnitOfWork,
    rules: BookingRules,
    requester: User,
    room: Room,
    slot: TimeSlot,
    attendees: int,
    now: datetime,
    *,
    ignore: UUID | None = None,
    override_policy: bool = False,
    check_hours: bool = True,
) -> list[Violation]:
    """The room's own rules and, unless overridden, its opening hours and its policy's (or
    the campus defaults').

    `requester` is whose quotas count (the booking's requester, for a change); `ignore` is
    the booking being changed, counted at its new time only; `check_hours` is False for a
    change that leaves the booking's time as it is.
    """
    violations = room_violations(room, slot, attendees, now)
    if override_policy:
        return violations
    if check_hours:
        violations += await opening_hours_violations(uow, room, slot)
    policy = await uow.policies.get(room.policy_id) if room.policy_id else None
    limits = rules.limits_for(policy, requester)
    zone = room.zone  # quotas count the room's local days and weeks
    usage = None
    if limits.has_quotas:
        window = quota_window(slot, zone) if limits.counts_minutes else None
        usage = await uow.bookings.usage_of_requester(
            requester.id, room.policy_id, window, now, ignore=ignore
        )
    return violations + policy_violations(limits, slot=slot, now=now, zone=zone, usage=usage)
