"""Deactivating a user with upcoming bookings: refused unless they are cancelled with it, in
the same transaction, each cancellation in the audit trail."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.users import ChangeUser, ChangeUserCommand
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import Conflict
from campus_booking.domain.users import Role
from tests.unit.application.store_state import state
from tests.unit.builders import NOW, add_booking, add_room, add_user, slot


@pytest.fixture
def change_user(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeUser:
    return ChangeUser(uow, clock)


async def test_deactivating_a_user_with_upcoming_bookings_needs_cancel_bookings(
    store: MemoryStore, change_user: ChangeUser
) -> None:
    admin, student, room = add_user(store, Role.ADMIN), add_user(store), add_room(store)
    add_booking(store, room, slot(24, 25), by=student)
    before = state(store)

    with pytest.raises(Conflict, match="1 upcoming active booking"):
        await change_user(admin, student.id, ChangeUserCommand(is_active=False))

    assert state(store) == before


async def test_cancel_bookings_cancels_the_upcoming_ones_and_audits_each(
    store: MemoryStore, change_user: ChangeUser
) -> None:
    admin, student, other = add_user(store, Role.ADMIN), add_user(store), add_user(store)
    room = add_room(store)
    ended = add_booking(store, room, slot(-3, -2), by=student)
    upcoming = [
        add_booking(store, room, slot(24, 25), by=student),
        add_booking(store, room, slot(26, 27), by=student, status=BookingStatus.PENDING),
    ]
    rejected = add_booking(store, room, slot(28, 29), by=student, status=BookingStatus.REJECTED)
    others = add_booking(store, room, slot(30, 31), by=other)

    user = await change_user(
        admin, student.id, ChangeUserCommand(is_active=False, cancel_bookings=True)
    )

    assert user.is_active is False
    statuses = {booking_id: b.status for booking_id, b in store.bookings.items()}
    assert statuses == {
        ended.id: BookingStatus.APPROVED,
        upcoming[0].id: BookingStatus.CANCELLED,
        upcoming[1].id: BookingStatus.CANCELLED,
        rejected.id: BookingStatus.REJECTED,
        others.id: BookingStatus.APPROVED,
    }
    cancellations = [
        entry
        for entry in store.audit
        if entry.entity is Entity.BOOKING and entry.action is Action.CANCELLED
    ]
    assert [entry.entity_id for entry in cancellations] == [b.id for b in upcoming]
    assert all(entry.actor_id == admin.id and entry.at == NOW for entry in cancellations)
    assert [entry.after for entry in cancellations] == [{"status": "CANCELLED"}] * 2
    assert [e.entity for e in store.audit].count(Entity.USER) == 1
    assert store.commits == 1


async def test_a_role_change_leaves_bookings_alone(
    store: MemoryStore, change_user: ChangeUser
) -> None:
    admin, student, room = add_user(store, Role.ADMIN), add_user(store), add_room(store)
    booking = add_booking(store, room, slot(24, 25), by=student)

    await change_user(admin, student.id, ChangeUserCommand(role=Role.STAFF, cancel_bookings=True))

    assert store.bookings[booking.id].status is BookingStatus.APPROVED


async def test_deactivating_a_user_without_upcoming_bookings_needs_nothing_more(
    store: MemoryStore, change_user: ChangeUser
) -> None:
    admin, student, room = add_user(store, Role.ADMIN), add_user(store), add_room(store)
    add_booking(store, room, slot(-3, -2), by=student)

    user = await change_user(admin, student.id, ChangeUserCommand(is_active=False))

    assert user.is_active is False
