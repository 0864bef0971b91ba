"""User administration use-cases: listing users and changing their role or status."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict
from functools import partial
from uuid import UUID, uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import Page, PageRequest, UserFilter
from campus_booking.application.users import ChangeUser, ChangeUserCommand, ListUsers
from campus_booking.domain.errors import AuthenticationFailed, Conflict, NotFound, PermissionDenied
from campus_booking.domain.users import Role, User
from tests.unit.application.store_state import state
from tests.unit.builders import a_user, add_user

ChangeUserAsAdmin = Callable[[UUID, ChangeUserCommand], Awaitable[User]]
ListUsersAsAdmin = Callable[[UserFilter, PageRequest], Awaitable[Page[User]]]
LAST_ADMIN = "This is the last active admin; promote another one first."


def emails(users: list[User]) -> list[str]:
    return [user.email for user in users]


@pytest.fixture
def change_user(uow: UnitOfWorkFactory, clock: FixedClock, admin: User) -> ChangeUserAsAdmin:
    """ChangeUser, called by the admin."""
    return partial(ChangeUser(uow, clock), admin)


@pytest.fixture
def list_users(uow: UnitOfWorkFactory) -> ListUsersAsAdmin:
    """ListUsers, called by an admin kept out of the store (a listing reads no actor's row)."""
    return partial(ListUsers(uow), a_user(Role.ADMIN))


# --- ListUsers ----------------------------------------------------------------------------


async def test_list_users_orders_by_email(list_users: ListUsersAsAdmin, store: MemoryStore) -> None:
    add_user(store, email="cleo@uni.edu")
    add_user(store, email="ana@uni.edu", role=Role.ADMIN)
    add_user(store, email="bruno@uni.edu", role=Role.STAFF, is_active=False)

    page = await list_users(UserFilter(), PageRequest())

    assert emails(page.items) == ["ana@uni.edu", "bruno@uni.edu", "cleo@uni.edu"]
    assert (page.total, page.limit, page.offset) == (3, 50, 0)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.STUDENT, ["ana@uni.edu", "dora@uni.edu"]),
        (Role.STAFF, ["bruno@uni.edu"]),
        (Role.ADMIN, ["cleo@uni.edu"]),
    ],
)
async def test_list_users_filters_by_role(
    list_users: ListUsersAsAdmin, store: MemoryStore, role: Role, expected: list[str]
) -> None:
    add_user(store, email="dora@uni.edu")
    add_user(store, email="cleo@uni.edu", role=Role.ADMIN)
    add_user(store, email="bruno@uni.edu", role=Role.STAFF)
    add_user(store, email="ana@uni.edu")

    page = await list_users(UserFilter(role=role), PageRequest())

    assert emails(page.items) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("LIMA", ["ana@uni.edu", "zoe@lima.org"]),  # in a name, and in an email
        ("Bruno@", ["bruno@uni.edu"]),
        ("sOuZa", ["bruno@uni.edu"]),
        ("nobody", []),
    ],
)
async def test_list_users_text_matches_email_or_name_in_any_case(
    list_users: ListUsersAsAdmin, store: MemoryStore, text: str, expected: list[str]
) -> None:
    add_user(store, email="zoe@lima.org", full_name="Zoe Park")
    add_user(store, email="bruno@uni.edu", full_name="Bruno Souza")
    add_user(store, email="ana@uni.edu", full_name="Ana Lima")

    page = await list_users(UserFilter(text=text), PageRequest())

    assert emails(page.items) == expected
    assert page.total == len(expected)


async def test_list_users_combines_role_and_text(
    list_users: ListUsersAsAdmin, store: MemoryStore
) -> None:
    add_user(store, email="ana@uni.edu", full_name="Ana Lima")
    add_user(store, email="lima@uni.edu", full_name="Staff Lima", role=Role.STAFF)

    page = await list_users(UserFilter(role=Role.STAFF, text="lima"), PageRequest())

    assert emails(page.items) == ["lima@uni.edu"]
    assert page.total == 1


async def test_list_users_pages(list_users: ListUsersAsAdmin, store: MemoryStore) -> None:
    for name in ["e", "b", "d", "a", "c"]:
        add_user(store, email=f"{name}@uni.edu")

    page = await list_users(UserFilter(), PageRequest(limit=2, offset=3))

    assert emails(page.items) == ["d@uni.edu", "e@uni.edu"]
    assert (page.total, page.limit, page.offset) == (5, 2, 3)


# --- ChangeUser ---------------------------------------------------------------------------


async def test_changing_the_role_revokes_tokens(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    user = add_user(store, email="ana@uni.edu", token_version=3)

    changed = await change_user(user.id, ChangeUserCommand(role=Role.STAFF))

    stored = store.users[user.id]
    assert (stored.role, stored.is_active, stored.token_version) == (Role.STAFF, True, 4)
    assert asdict(changed) == asdict(stored)
    assert store.commits == 1


async def test_deactivating_revokes_tokens(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    user = add_user(store, email="ana@uni.edu")

    await change_user(user.id, ChangeUserCommand(is_active=False))

    stored = store.users[user.id]
    assert (stored.role, stored.is_active, stored.token_version) == (Role.STUDENT, False, 1)
    assert store.commits == 1


async def test_reactivating_revokes_tokens(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    user = add_user(store, email="ana@uni.edu", is_active=False, token_version=1)

    await change_user(user.id, ChangeUserCommand(is_active=True))

    stored = store.users[user.id]
    assert (stored.is_active, stored.token_version) == (True, 2)


@pytest.mark.parametrize(
    "command",
    [
        ChangeUserCommand(),
        ChangeUserCommand(role=Role.STUDENT),
        ChangeUserCommand(is_active=True),
        ChangeUserCommand(role=Role.STUDENT, is_active=True),
    ],
)
async def test_a_change_to_the_current_values_keeps_the_token_version(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User, command: ChangeUserCommand
) -> None:
    user = add_user(store, email="ana@uni.edu", token_version=5)
    before = asdict(user)

    changed = await change_user(user.id, command)

    assert asdict(store.users[user.id]) == before
    assert changed.token_version == 5


@pytest.mark.parametrize(
    "command",
    [
        ChangeUserCommand(role=Role.STAFF),
        ChangeUserCommand(role=Role.STUDENT),
        ChangeUserCommand(is_active=False),
        ChangeUserCommand(role=Role.STAFF, is_active=False),
    ],
)
async def test_the_last_active_admin_cannot_be_demoted_or_deactivated(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User, command: ChangeUserCommand
) -> None:
    add_user(store, email="ana@uni.edu")
    before = state(store)

    with pytest.raises(Conflict) as error:
        await change_user(admin.id, command)

    assert error.value.message == LAST_ADMIN
    assert state(store) == before


async def test_an_inactive_admin_does_not_count_as_another_admin(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    add_user(store, email="old-root@uni.edu", role=Role.ADMIN, is_active=False)
    before = state(store)

    with pytest.raises(Conflict) as error:
        await change_user(admin.id, ChangeUserCommand(is_active=False))

    assert error.value.message == LAST_ADMIN
    assert state(store) == before


async def test_the_last_active_admin_may_keep_being_an_admin(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    await change_user(admin.id, ChangeUserCommand(role=Role.ADMIN, is_active=True))

    stored = store.users[admin.id]
    assert (stored.role, stored.is_active, stored.token_version) == (Role.ADMIN, True, 0)


@pytest.mark.parametrize(
    "command", [ChangeUserCommand(role=Role.STAFF), ChangeUserCommand(is_active=False)]
)
async def test_with_two_active_admins_one_may_step_down(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User, command: ChangeUserCommand
) -> None:
    other = add_user(store, email="second@uni.edu", role=Role.ADMIN)

    changed = await change_user(other.id, command)

    assert changed.token_version == 1
    assert store.users[other.id].token_version == 1
    assert (store.users[admin.id].role, store.users[admin.id].is_active) == (Role.ADMIN, True)
    assert store.commits == 1


async def test_once_one_of_two_admins_steps_down_the_other_is_the_last(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    other = add_user(store, email="second@uni.edu", role=Role.ADMIN)
    await change_user(other.id, ChangeUserCommand(role=Role.STAFF))
    before = state(store)

    with pytest.raises(Conflict) as error:
        await change_user(admin.id, ChangeUserCommand(role=Role.STAFF))

    assert error.value.message == LAST_ADMIN
    assert state(store) == before
    assert store.users[other.id].role is Role.STAFF


async def test_a_user_may_be_promoted_to_admin(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    user = add_user(store, email="ana@uni.edu", role=Role.STAFF)

    await change_user(user.id, ChangeUserCommand(role=Role.ADMIN))

    assert (store.users[user.id].role, store.users[user.id].token_version) == (Role.ADMIN, 1)


async def test_changing_an_unknown_user_is_not_found(
    change_user: ChangeUserAsAdmin, store: MemoryStore, admin: User
) -> None:
    before = state(store)

    with pytest.raises(NotFound) as error:
        await change_user(uuid4(), ChangeUserCommand(role=Role.STAFF))

    assert error.value.message == "User not found."
    assert state(store) == before


# --- Who may change users, checked when the change commits -------------------------------


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF])
async def test_only_an_admin_may_change_users_whoever_calls_the_use_case(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, role: Role
) -> None:
    caller = add_user(store, email="caller@uni.edu", role=role)
    target = add_user(store, email="target@uni.edu")
    before = state(store)

    with pytest.raises(PermissionDenied):
        await ChangeUser(uow, clock)(caller, target.id, ChangeUserCommand(role=Role.ADMIN))

    assert state(store) == before


async def test_an_admin_demoted_since_signing_in_cannot_promote_anyone(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User
) -> None:
    """The caller's role is read again, locked, in the transaction of the change."""
    add_user(store, email="other.admin@uni.edu", role=Role.ADMIN)
    target = add_user(store, email="target@uni.edu")
    signed_in = User(**asdict(admin))
    store.users[admin.id].change_role(
        Role.STUDENT, by=admin.id, at=clock.now()
    )  # committed by another admin meanwhile
    before = state(store)

    with pytest.raises(AuthenticationFailed):
        await ChangeUser(uow, clock)(signed_in, target.id, ChangeUserCommand(role=Role.ADMIN))

    assert state(store) == before
