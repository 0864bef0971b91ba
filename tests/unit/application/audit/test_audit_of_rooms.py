"""The audit trail of rooms: creation, updates and deactivation."""

from __future__ import annotations

from typing import Any

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import Conflict, InvalidValue
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.unit.application.audit.entries import LATER, entry, snapshot, trail
from tests.unit.builders import add_booking, add_room, slot


async def test_create_room_records_every_kept_field_as_stored(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User
) -> None:
    command = CreateRoomCommand(
        name=" Lab  1 ",
        building="Science",
        capacity=24,
        features=["Whiteboard", "audio"],
        requires_approval=True,
    )

    room = await CreateRoom(uow, clock)(staff, command)

    after = {
        "name": "Lab 1",
        "building": "Science",
        "capacity": 24,
        "features": ["audio", "whiteboard"],
        "requires_approval": True,
        "is_active": True,
        "time_zone": "UTC",
        "policy_id": None,
    }
    assert trail(store) == [entry(Entity.ROOM, room.id, Action.CREATED, staff, None, after)]


async def test_a_refused_room_creation_writes_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    staff: User,
    room: Room,
) -> None:
    with pytest.raises(Conflict):
        await CreateRoom(uow, clock)(staff, CreateRoomCommand(name="OAK", building="X", capacity=1))

    assert snapshot(store) == seeded


async def test_update_room_records_only_the_fields_that_changed(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User, room: Room
) -> None:
    clock.set(LATER)
    command = UpdateRoomCommand(
        name="Oak", building="Main", capacity=40, features=["audio"], requires_approval=False
    )

    await UpdateRoom(uow, clock)(staff, room.id, command)

    assert trail(store) == [
        entry(
            Entity.ROOM,
            room.id,
            Action.CHANGED,
            staff,
            {"capacity": 10, "features": ["audio", "projector"]},
            {"capacity": 40, "features": ["audio"]},
            LATER,
        )
    ]


@pytest.mark.parametrize(
    "command",
    [
        UpdateRoomCommand(),
        UpdateRoomCommand(name=" Oak ", capacity=10),
        UpdateRoomCommand(features=["Projector", "audio"], requires_approval=False),
    ],
    ids=["nothing-given", "same-name-and-capacity", "same-features-other-spelling"],
)
async def test_a_no_op_room_update_writes_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    staff: User,
    room: Room,
    command: UpdateRoomCommand,
) -> None:
    await UpdateRoom(uow, clock)(staff, room.id, command)

    assert store.audit == []


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (UpdateRoomCommand(name="elm", capacity=99), Conflict),
        (UpdateRoomCommand(name="Ash", capacity=0), InvalidValue),
    ],
    ids=["name-taken", "invalid-capacity"],
)
async def test_a_refused_room_update_writes_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    staff: User,
    room: Room,
    command: UpdateRoomCommand,
    error: type[Exception],
) -> None:
    add_room(store, "Elm")

    with pytest.raises(error):
        await UpdateRoom(uow, clock)(staff, room.id, command)

    assert snapshot(store) == seeded


async def test_deactivating_a_room_without_bookings_records_is_active_only(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, room: Room
) -> None:
    await DeactivateRoom(uow, clock)(admin, room.id)

    assert trail(store) == [
        entry(
            Entity.ROOM,
            room.id,
            Action.DEACTIVATED,
            admin,
            {"is_active": True},
            {"is_active": False},
        )
    ]


async def test_deactivating_with_cancel_bookings_records_the_room_then_each_cancellation(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    admin: User,
    student: User,
    room: Room,
) -> None:
    add_booking(store, room, slot(-3, -2), by=student)  # over: neither cancelled nor recorded
    later = add_booking(store, room, slot(4, 5), by=student, status=BookingStatus.PENDING)
    in_progress = add_booking(store, room, slot(-1, 1), by=student)
    add_booking(store, room, slot(6, 7), by=student, status=BookingStatus.CANCELLED)

    await DeactivateRoom(uow, clock)(admin, room.id, cancel_bookings=True)

    assert trail(store) == [
        entry(
            Entity.ROOM,
            room.id,
            Action.DEACTIVATED,
            admin,
            {"is_active": True},
            {"is_active": False},
        ),
        entry(
            Entity.BOOKING,
            in_progress.id,
            Action.CANCELLED,
            admin,
            {"status": "APPROVED"},
            {"status": "CANCELLED"},
        ),
        entry(
            Entity.BOOKING,
            later.id,
            Action.CANCELLED,
            admin,
            {"status": "PENDING"},
            {"status": "CANCELLED"},
        ),
    ]
    assert store.commits == 1


async def test_deactivation_blocked_by_bookings_writes_no_entry_though_it_wrote_one_first(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    admin: User,
    student: User,
    room: Room,
) -> None:
    """The room's entry is added before the bookings are counted: the rollback must drop it."""
    add_booking(store, room, slot(1, 2), by=student)

    with pytest.raises(Conflict) as error:
        await DeactivateRoom(uow, clock)(admin, room.id)

    assert error.value.message.startswith("The room has 1 upcoming active booking(s);")
    assert snapshot(store) == seeded
    assert store.rooms[room.id].is_active is True


async def test_deactivating_an_inactive_room_again_writes_no_entry(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, room: Room
) -> None:
    deactivate = DeactivateRoom(uow, clock)
    await deactivate(admin, room.id)
    first = snapshot(store)

    await deactivate(admin, room.id)

    assert snapshot(store) == first
    assert len(first) == 1
