"""What becomes of a user's bookings when they are deactivated.

Like a room's: upcoming active bookings block the deactivation unless the caller asks to
cancel them, which then happens in the same transaction, each cancellation in the audit
trail. Runs with the user's row locked, and locks the bookings it cancels after it, earliest
first, as a room's deactivation does (lock order: see the `UnitOfWork` port).
"""

from __future__ import annotations

from datetime import datetime

from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.errors import Conflict
from campus_booking.domain.users import User


async def release_bookings_of_deactivated(
    uow: UnitOfWork, *, actor: User, user: User, cancel: bool, now: datetime
) -> None:
    upcoming = await uow.bookings.active_of_requester(user.id, now)
    if upcoming and not cancel:
        raise Conflict(
            f"The user has {len(upcoming)} upcoming active booking(s); "
            "deactivate them with cancel_bookings=true to cancel those."
        )
    for booking in upcoming:
        booking.cancel(by=actor.id, at=now)
        await uow.bookings.save(booking)
