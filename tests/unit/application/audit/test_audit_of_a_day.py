"""The audit trail after a day of changes: one entry per change, in order."""

from __future__ import annotations

from datetime import timedelta

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.auth import RegisterUser, RegisterUserCommand
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    DecideBooking,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.application.users import ChangeUser, ChangeUserCommand
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.users import Role, User
from tests.unit.application.booking_requests import RULES, book
from tests.unit.builders import NOW, PASSWORD


async def test_a_day_of_changes_leaves_one_entry_per_change_in_order(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    register_user: RegisterUser,
    admin: User,
    staff: User,
) -> None:
    """Every state-changing use-case, one after the other, each at its own clock time."""
    student = await register_user(
        RegisterUserCommand(
            email="new@uni.edu", password=PASSWORD, full_name="New", client="192.0.2.1"
        )
    )
    clock.advance(timedelta(minutes=1))
    room = await CreateRoom(uow, clock)(
        staff, CreateRoomCommand(name="Lab", building="Main", capacity=5, requires_approval=True)
    )
    clock.advance(timedelta(minutes=1))
    await UpdateRoom(uow, clock)(staff, room.id, UpdateRoomCommand(capacity=6))
    clock.advance(timedelta(minutes=1))
    first = await CreateBooking(uow, clock, RULES)(student, book(room, 2, 3, attendees=3))
    clock.advance(timedelta(minutes=1))
    await ChangeBooking(uow, clock, RULES)(student, first.id, ChangeBookingCommand(title="X"))
    clock.advance(timedelta(minutes=1))
    await DecideBooking(uow, clock).approve(staff, first.id)
    clock.advance(timedelta(minutes=1))
    second = await CreateBooking(uow, clock, RULES)(student, book(room, 4, 5, attendees=3))
    clock.advance(timedelta(minutes=1))
    await DecideBooking(uow, clock).reject(staff, second.id, "No")
    clock.advance(timedelta(minutes=1))
    await CancelBooking(uow, clock)(student, first.id)
    clock.advance(timedelta(minutes=1))
    await ChangeUser(uow, clock)(admin, student.id, ChangeUserCommand(role=Role.STAFF))
    clock.advance(timedelta(minutes=1))
    await DeactivateRoom(uow, clock)(admin, room.id)

    summary = [(e.at - NOW, e.actor_id, e.entity, e.entity_id, e.action) for e in store.audit]
    minute = timedelta(minutes=1)
    assert summary == [
        (0 * minute, student.id, Entity.USER, student.id, Action.CREATED),
        (1 * minute, staff.id, Entity.ROOM, room.id, Action.CREATED),
        (2 * minute, staff.id, Entity.ROOM, room.id, Action.CHANGED),
        (3 * minute, student.id, Entity.BOOKING, first.id, Action.CREATED),
        (4 * minute, student.id, Entity.BOOKING, first.id, Action.CHANGED),
        (5 * minute, staff.id, Entity.BOOKING, first.id, Action.APPROVED),
        (6 * minute, student.id, Entity.BOOKING, second.id, Action.CREATED),
        (7 * minute, staff.id, Entity.BOOKING, second.id, Action.REJECTED),
        (8 * minute, student.id, Entity.BOOKING, first.id, Action.CANCELLED),
        (9 * minute, admin.id, Entity.USER, student.id, Action.CHANGED),
        (10 * minute, admin.id, Entity.ROOM, room.id, Action.DEACTIVATED),
    ]
    assert store.commits == 11
