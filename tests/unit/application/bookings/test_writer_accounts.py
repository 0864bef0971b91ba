"""Every booking write re-reads its actor: an account changed since sign-in writes nothing."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    CreateBooking,
    DecideBooking,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import AuthenticationFailed
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.application.booking_requests import RULES, book, move
from tests.unit.application.store_state import state
from tests.unit.builders import add_booking, slot


@pytest.mark.parametrize("change", ["demoted", "deactivated", "deleted"])
@pytest.mark.parametrize("write", ["approve", "reject", "cancel", "change", "create"])
async def test_a_writer_whose_account_changed_since_signing_in_is_refused_and_writes_nothing(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    change: str,
    write: str,
) -> None:
    """The actor is re-read under a lock: a demotion committed since sign-in applies at once."""
    booking = add_booking(
        store, approval_room, slot(1, 2), by=student, status=BookingStatus.PENDING
    )
    signed_in = User(**asdict(staff))  # what the caller was authenticated as
    if change == "deleted":
        del store.users[staff.id]
    elif change == "demoted":
        store.users[staff.id].change_role(Role.STUDENT, by=staff.id, at=clock.now())
    else:
        store.users[staff.id].deactivate(by=staff.id, at=clock.now())
    before = state(store)
    writes = {
        "approve": lambda: DecideBooking(uow, clock).approve(signed_in, booking.id),
        "reject": lambda: DecideBooking(uow, clock).reject(signed_in, booking.id, "No"),
        "cancel": lambda: CancelBooking(uow, clock)(signed_in, booking.id),
        "change": lambda: ChangeBooking(uow, clock, RULES)(signed_in, booking.id, move(3, 4)),
        "create": lambda: CreateBooking(uow, clock, RULES)(signed_in, book(approval_room, 5, 6)),
    }

    with pytest.raises(AuthenticationFailed):
        await writes[write]()

    assert state(store) == before
