"""Booking policies through the use-cases, in memory: written by staff and admins, audited,
unique by name, and not deleted while rooms follow them."""

from __future__ import annotations

from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.booking_policies import (
    CreateBookingPolicy,
    DeleteBookingPolicy,
    GetBookingPolicy,
    ListBookingPolicies,
    PolicyCommand,
    ReplaceBookingPolicy,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import PageRequest
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.booking_policies import PolicyLimits
from campus_booking.domain.errors import (
    AlreadyExists,
    Conflict,
    InvalidValue,
    NotFound,
    PermissionDenied,
)
from campus_booking.domain.users import User
from tests.unit.application.store_state import state
from tests.unit.builders import add_policy, add_room

GROUP_STUDY = PolicyCommand("Group study", PolicyLimits(max_minutes_per_day=120, slot_minutes=30))


async def test_staff_create_a_policy_which_is_audited_and_listed(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User
) -> None:
    policy = await CreateBookingPolicy(uow, clock)(staff, GROUP_STUDY)

    assert (await GetBookingPolicy(uow)(policy.id)).limits == GROUP_STUDY.limits
    page = await ListBookingPolicies(uow)(PageRequest())
    assert [p.name for p in page.items] == ["Group study"]
    [entry] = store.audit
    assert (entry.entity, entry.action, entry.actor_id) == (
        Entity.BOOKING_POLICY,
        Action.CREATED,
        staff.id,
    )


async def test_a_student_may_not_write_policies(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store)
    before = state(store)

    with pytest.raises(PermissionDenied):
        await CreateBookingPolicy(uow, clock)(student, GROUP_STUDY)
    with pytest.raises(PermissionDenied):
        await ReplaceBookingPolicy(uow, clock)(student, policy.id, GROUP_STUDY)
    with pytest.raises(PermissionDenied):
        await DeleteBookingPolicy(uow, clock)(student, policy.id)

    assert state(store) == before


async def test_names_are_unique_whatever_their_case(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User
) -> None:
    add_policy(store, "GROUP STUDY")

    with pytest.raises(AlreadyExists):
        await CreateBookingPolicy(uow, clock)(staff, GROUP_STUDY)


async def test_replacing_sets_every_limit_and_records_what_changed(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User
) -> None:
    policy = add_policy(store, max_minutes_per_day=120, slot_minutes=30)

    replaced = await ReplaceBookingPolicy(uow, clock)(
        admin, policy.id, PolicyCommand("Group study", PolicyLimits(max_minutes_per_day=90))
    )

    assert replaced.limits == PolicyLimits(max_minutes_per_day=90)
    [entry] = store.audit
    assert (entry.before, entry.after) == (
        {"slot_minutes": 30, "max_minutes_per_day": 120},
        {"slot_minutes": None, "max_minutes_per_day": 90},
    )


async def test_a_policy_followed_by_a_room_is_not_deleted(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User
) -> None:
    policy = add_policy(store)
    room = add_room(store, "Study", policy_id=policy.id)
    before = state(store)

    with pytest.raises(Conflict):
        await DeleteBookingPolicy(uow, clock)(staff, policy.id)
    assert state(store) == before

    await UpdateRoom(uow, clock)(staff, room.id, UpdateRoomCommand(clear_policy=True))
    await DeleteBookingPolicy(uow, clock)(staff, policy.id)
    assert store.policies == {}
    assert store.audit[-1].action is Action.DELETED
    with pytest.raises(NotFound):
        await GetBookingPolicy(uow)(policy.id)


async def test_a_room_follows_a_policy_only_if_it_exists(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User
) -> None:
    policy = add_policy(store)

    room = await CreateRoom(uow, clock)(
        staff, CreateRoomCommand("Study", "Main", 4, policy_id=policy.id)
    )
    with pytest.raises(InvalidValue) as error:
        await UpdateRoom(uow, clock)(staff, room.id, UpdateRoomCommand(policy_id=uuid4()))

    assert error.value.field == "policy_id"
    assert store.rooms[room.id].policy_id == policy.id
