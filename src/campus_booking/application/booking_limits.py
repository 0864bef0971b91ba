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

from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.users import User


async def active_bookings_held(
    uow: UnitOfWork, rules: BookingRules, requester: User, now: datetime
) -> int | None:
    """The requester's upcoming active bookings when the rules limit them, else None.

    `requester` must be the row read under its lock (see `application/actors.py`).
    """
    if not rules.counts_active_bookings(requester):
        return None
    return await uow.bookings.count_active_of_requester(requester.id, now)
