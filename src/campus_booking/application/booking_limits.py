"""How many upcoming bookings a requester already holds, counted so that concurrency cannot
slip one past the limit.

Lock order, the same everywhere so that no two transactions wait on each other in a circle:
the room's row, then a user's row, then bookings' rows. CreateBooking locks the room (it is
then the only writer of that room's bookings), then here the requester's user row: two
bookings by one student in different rooms are then counted one after the other, each
seeing the other once committed. A change to a user (ChangeUser, which takes users' rows in
id order) cancels their bookings after locking the user. On SQLite, writers run one at a
time already.
"""

from __future__ import annotations

from datetime import datetime

from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.errors import AuthenticationFailed
from campus_booking.domain.users import User


async def active_bookings_held(
    uow: UnitOfWork, rules: BookingRules, requester: User, now: datetime
) -> int | None:
    """The requester's upcoming active bookings when the rules limit them, else None.

    Locks the requester's row first, whatever their role: a deactivation that cancels their
    bookings (in a transaction of its own) is then either seen here, and the booking refused
    as the requester's token would be, or comes after and cancels this booking too.
    """
    current = await uow.users.lock(requester.id)
    if current is None or not current.is_active:
        raise AuthenticationFailed()
    if not rules.counts_active_bookings(current):
        return None
    return await uow.bookings.count_active_of_requester(current.id, now)
