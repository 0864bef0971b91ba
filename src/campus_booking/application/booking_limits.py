"""How many upcoming bookings a requester already holds, counted so that concurrency cannot
slip one past the limit.

CreateBooking has locked the requester's row first (`lock_actor`), so two bookings by one
student, in different rooms, are counted one after the other, each seeing the other once
committed; a deactivation that cancels their bookings either came before (and the token is
refused) or waits until this booking is committed, and cancels it too. On SQLite, writers
run one at a time already.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User


async def held_and_clashes(
    uow: UnitOfWork,
    rules: BookingRules,
    requester: User,
    room_id: UUID,
    slot: TimeSlot,
    now: datetime,
) -> tuple[int | None, list[Booking]]:
    """The requester's upcoming active bookings when the rules limit them (else None), and the
    room's active bookings that overlap `slot`: read together, as one statement, when counted.

    `requester` must be the row read under its lock (see `application/actors.py`), and the
    room must be locked already.
    """
    if not rules.counts_active_bookings(requester):
        return None, await uow.bookings.overlapping(room_id, slot)
    clashes, held = await uow.bookings.overlapping_and_count_of_requester(
        room_id, slot, requester.id, now
    )
    return held, clashes
