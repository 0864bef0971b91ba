"""The audit trail of accounts: sign-ups, the first admin, role and status changes."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.auth import (
    CreateAdmin,
    CreateAdminCommand,
    RegisterUser,
    RegisterUserCommand,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.users import ChangeUser, ChangeUserCommand
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.errors import Conflict, InvalidValue, NotFound
from campus_booking.domain.users import Role, User
from tests.unit.application.audit.entries import LATER, entry, snapshot, trail
from tests.unit.application.fakes import FakeHasher
from tests.unit.builders import PASSWORD, add_user


async def test_register_user_is_recorded_as_done_by_the_new_user(
    store: MemoryStore, register_user: RegisterUser
) -> None:
    command = RegisterUserCommand(
        email=" Ana@Uni.EDU ", password=PASSWORD, full_name=" Ana  Lima ", client="192.0.2.1"
    )

    user = await register_user(command)

    after = {"email": "ana@uni.edu", "full_name": "Ana Lima", "role": "STUDENT", "is_active": True}
    assert trail(store) == [entry(Entity.USER, user.id, Action.CREATED, user, None, after)]
    assert store.audit[0].actor_id == user.id


async def test_create_admin_is_recorded_without_an_actor(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    command = CreateAdminCommand(email="root@uni.edu", password=PASSWORD, full_name="Root")

    user = await CreateAdmin(uow, FakeHasher(), clock)(command)

    after = {"email": "root@uni.edu", "full_name": "Root", "role": "ADMIN", "is_active": True}
    assert trail(store) == [entry(Entity.USER, user.id, Action.CREATED, None, None, after)]


@pytest.mark.parametrize(
    ("email", "password", "error"),
    [("taken@uni.edu", PASSWORD, Conflict), ("new@uni.edu", "short", InvalidValue)],
    ids=["email-taken", "password-too-short"],
)
async def test_a_refused_registration_writes_no_entry(
    store: MemoryStore,
    register_user: RegisterUser,
    seeded: list[dict[str, Any]],
    email: str,
    password: str,
    error: type[Exception],
) -> None:
    add_user(store, email="taken@uni.edu")

    with pytest.raises(error):
        await register_user(
            RegisterUserCommand(email=email, password=password, full_name="Ana", client="192.0.2.1")
        )

    assert snapshot(store) == seeded


async def test_changing_a_role_records_the_role_only_and_the_admin_who_did_it(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, student: User
) -> None:
    clock.set(LATER)

    await ChangeUser(uow, clock)(admin, student.id, ChangeUserCommand(role=Role.STAFF))

    assert trail(store) == [
        entry(
            Entity.USER,
            student.id,
            Action.CHANGED,
            admin,
            {"role": "STUDENT"},
            {"role": "STAFF"},
            LATER,
        )
    ]


async def test_deactivating_a_user_records_is_active_only(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, student: User
) -> None:
    await ChangeUser(uow, clock)(admin, student.id, ChangeUserCommand(is_active=False))

    assert trail(store) == [
        entry(
            Entity.USER,
            student.id,
            Action.CHANGED,
            admin,
            {"is_active": True},
            {"is_active": False},
        )
    ]


async def test_changing_role_and_status_at_once_records_both_in_one_entry(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, staff: User
) -> None:
    command = ChangeUserCommand(role=Role.ADMIN, is_active=False)

    await ChangeUser(uow, clock)(admin, staff.id, command)

    assert trail(store) == [
        entry(
            Entity.USER,
            staff.id,
            Action.CHANGED,
            admin,
            {"role": "STAFF", "is_active": True},
            {"role": "ADMIN", "is_active": False},
        )
    ]


async def test_a_user_change_to_the_current_values_writes_no_entry(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, student: User
) -> None:
    command = ChangeUserCommand(role=Role.STUDENT, is_active=True)

    await ChangeUser(uow, clock)(admin, student.id, command)

    assert store.audit == []


@pytest.mark.parametrize(
    "command",
    [ChangeUserCommand(role=Role.STAFF), ChangeUserCommand(is_active=False)],
    ids=["demote", "deactivate"],
)
async def test_refusing_to_lose_the_last_admin_writes_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    admin: User,
    command: ChangeUserCommand,
) -> None:
    with pytest.raises(Conflict) as error:
        await ChangeUser(uow, clock)(admin, admin.id, command)

    assert error.value.message == "This is the last active admin; promote another one first."
    assert snapshot(store) == seeded


async def test_changing_an_unknown_user_writes_no_entry(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, seeded: Any, admin: User
) -> None:
    with pytest.raises(NotFound):
        await ChangeUser(uow, clock)(admin, uuid4(), ChangeUserCommand(role=Role.STAFF))

    assert snapshot(store) == seeded
