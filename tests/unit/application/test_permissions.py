"""Every use-case refuses whom the permissions table refuses, whoever calls it.

`tests/e2e/security/permissions.py` says which roles may call each route; the HTTP matrix and
README's "Who may do what" are made from it. Here each route's use-case is called directly, on
the memory fakes and with no HTTP guard in front, as a student, a staff member and an admin:
a role the table refuses must be refused by the use-case itself, and what a note of the table
promises an allowed role must hold.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryAccountLookup, MemoryStore
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.audit import ListAuditEntries
from campus_booking.application.auth import (
    Authenticate,
    AuthenticateCommand,
    GetCurrentUser,
    RegisterUser,
    RegisterUserCommand,
)
from campus_booking.application.booking_policies import (
    CreateBookingPolicy,
    DeleteBookingPolicy,
    GetBookingPolicy,
    ListBookingPolicies,
    PolicyCommand,
    ReplaceBookingPolicy,
)
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CheckBooking,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
    GetBooking,
    ListBookings,
)
from campus_booking.application.closures import (
    CreateClosures,
    CreateClosuresCommand,
    DeleteClosure,
    GetClosure,
    ListClosures,
)
from campus_booking.application.opening_hours import (
    GetOpeningHours,
    SetOpeningHours,
    SetOpeningHoursCommand,
    WeeklyHours,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import (
    AuditFilter,
    BookingFilter,
    ClosureFilter,
    PageRequest,
    RoomFilter,
    UserFilter,
)
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    GetRoom,
    ListRooms,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.application.sessions import (
    ChangePassword,
    ChangePasswordCommand,
    SignOutEverywhere,
)
from campus_booking.application.throttling import LoginThrottle, RegistrationThrottle
from campus_booking.application.users import ChangeUser, ChangeUserCommand, ListUsers
from campus_booking.domain.booking_policies import BookingPolicy, PolicyLimits
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.closures import Closure
from campus_booking.domain.errors import NotFound, PermissionDenied
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.e2e.security.permissions import OWN_ONLY, TABLE, Rule
from tests.unit.application.fakes import FakeHasher
from tests.unit.application.store_state import state
from tests.unit.builders import CLIENT, PASSWORD, add_booking, add_closure, at, period, slot

ROLES = (Role.STUDENT, Role.STAFF, Role.ADMIN)
PENDING = BookingStatus.PENDING
NO_USE_CASE = {"GET /health", "GET /health/ready"}  # probes of the service, not of its domain


@dataclass
class Scene:
    """A fresh store: one person of each role and another student, a spare room with a
    closure, and the student's and the other student's PENDING bookings of a room that needs
    approval."""

    uow: UnitOfWorkFactory
    accounts: MemoryAccountLookup
    clock: FixedClock
    hasher: FakeHasher
    tokens: JwtTokenService
    people: dict[Role, User]
    other: User
    room: Room
    approval_room: Room
    booking: Booking  # the student's
    closure: Closure  # of the spare room
    policy: BookingPolicy  # followed by no room

    def login_throttle(self) -> LoginThrottle:
        counter = MemoryFailureCounter(window_seconds=300, clock=self.clock)
        return LoginThrottle(counter, per_account_and_client=5, per_account=10, per_client=10)


@pytest.fixture
def scene(
    store: MemoryStore,
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    hasher: FakeHasher,
    tokens: JwtTokenService,
    student: User,
    other_student: User,
    staff: User,
    admin: User,
    room: Room,
    approval_room: Room,
) -> Scene:
    for user in (student, other_student, staff, admin):
        user.password_hash = "hashed:" + PASSWORD
    booking = add_booking(store, approval_room, slot(1, 2), by=student, status=PENDING)
    add_booking(store, approval_room, slot(3, 4), by=other_student, status=PENDING)
    closure = add_closure(store, room, period(30, 34))
    people = {Role.STUDENT: student, Role.STAFF: staff, Role.ADMIN: admin}
    policy = BookingPolicy(name="Unused", limits=PolicyLimits(), created_at=clock.now())
    store.policies[policy.id] = policy
    return Scene(
        uow,
        MemoryAccountLookup(store),
        clock,
        hasher,
        tokens,
        people,
        other_student,
        room,
        approval_room,
        booking,
        closure,
        policy,
    )


# --- each route's use-case, called as `actor` ----------------------------------------------

Call = Callable[[Scene, User], Awaitable[Any]]


async def sign_up(s: Scene, _: User) -> Any:
    throttle = RegistrationThrottle(
        MemoryFailureCounter(window_seconds=300, clock=s.clock), per_client=10
    )
    command = RegisterUserCommand(
        email="new@uni.edu", password=PASSWORD, full_name="New", client=CLIENT
    )
    return await RegisterUser(s.uow, s.hasher, s.clock, throttle)(command)


async def sign_in(s: Scene, actor: User) -> Any:
    command = AuthenticateCommand(email=actor.email, password=PASSWORD, client=CLIENT)
    return await Authenticate(s.uow, s.hasher, s.tokens, s.login_throttle())(command)


async def who_am_i(s: Scene, actor: User) -> Any:
    return await GetCurrentUser(s.accounts, s.tokens)(s.tokens.issue(actor).token)


async def sign_out(s: Scene, actor: User) -> Any:
    return await SignOutEverywhere(s.uow, s.clock)(actor)


async def change_password(s: Scene, actor: User) -> Any:
    command = ChangePasswordCommand(
        current_password=PASSWORD, new_password="a new passphrase", client=CLIENT
    )
    use_case = ChangePassword(s.uow, s.hasher, s.tokens, s.login_throttle(), s.clock)
    return await use_case(actor, command)


async def list_rooms(s: Scene, actor: User) -> Any:
    return await ListRooms(s.uow)(actor, RoomFilter(), PageRequest())


async def get_room(s: Scene, _: User) -> Any:
    return await GetRoom(s.uow)(s.room.id)


async def create_room(s: Scene, actor: User) -> Any:
    command = CreateRoomCommand(name="New room", building="Main", capacity=5)
    return await CreateRoom(s.uow, s.clock)(actor, command)


async def update_room(s: Scene, actor: User) -> Any:
    return await UpdateRoom(s.uow, s.clock)(actor, s.room.id, UpdateRoomCommand(capacity=20))


async def deactivate_room(s: Scene, actor: User) -> Any:
    return await DeactivateRoom(s.uow, s.clock)(actor, s.room.id)


async def get_opening_hours(s: Scene, _: User) -> Any:
    return await GetOpeningHours(s.uow)(s.room.id)


async def set_opening_hours(s: Scene, actor: User) -> Any:
    command = SetOpeningHoursCommand(weekly=[WeeklyHours(1, "08:00", "22:00")])
    return await SetOpeningHours(s.uow, s.clock)(actor, s.room.id, command)


async def book(s: Scene, actor: User) -> Any:
    command = CreateBookingCommand(
        room_id=s.approval_room.id, starts_at=at(5), ends_at=at(6), title="Seminar"
    )
    return await CreateBooking(s.uow, s.clock, BookingRules())(actor, command)


async def list_bookings(s: Scene, actor: User) -> Any:
    return await ListBookings(s.uow)(actor, BookingFilter(), PageRequest())


async def get_booking(s: Scene, actor: User) -> Any:
    return await GetBooking(s.uow)(actor, s.booking.id)


async def change_booking(s: Scene, actor: User) -> Any:
    command = ChangeBookingCommand(title="Renamed")
    return await ChangeBooking(s.uow, s.clock, BookingRules())(actor, s.booking.id, command)


async def cancel_booking(s: Scene, actor: User) -> Any:
    return await CancelBooking(s.uow, s.clock)(actor, s.booking.id)


async def approve(s: Scene, actor: User) -> Any:
    return await DecideBooking(s.uow, s.clock).approve(actor, s.booking.id)


async def reject(s: Scene, actor: User) -> Any:
    return await DecideBooking(s.uow, s.clock).reject(actor, s.booking.id, "Exams")


async def close_rooms(s: Scene, actor: User) -> Any:
    command = CreateClosuresCommand(
        room_ids=[s.room.id], starts_at=at(40), ends_at=at(48), reason="Renovation"
    )
    return await CreateClosures(s.uow, s.clock)(actor, command)


async def list_closures(s: Scene, _: User) -> Any:
    return await ListClosures(s.uow)(ClosureFilter(), PageRequest())


async def get_closure(s: Scene, _: User) -> Any:
    return await GetClosure(s.uow)(s.closure.id)


async def delete_closure(s: Scene, actor: User) -> Any:
    return await DeleteClosure(s.uow, s.clock)(actor, s.closure.id)


async def check_booking(s: Scene, actor: User) -> Any:
    command = CreateBookingCommand(
        room_id=s.room.id, starts_at=at(5), ends_at=at(6), title="Seminar"
    )
    return await CheckBooking(s.uow, s.clock, BookingRules())(actor, command)


async def list_policies(s: Scene, _: User) -> Any:
    return await ListBookingPolicies(s.uow)(PageRequest())


async def get_policy(s: Scene, _: User) -> Any:
    return await GetBookingPolicy(s.uow)(s.policy.id)


async def create_policy(s: Scene, actor: User) -> Any:
    command = PolicyCommand(name="Group study", limits=PolicyLimits(max_minutes_per_day=120))
    return await CreateBookingPolicy(s.uow, s.clock)(actor, command)


async def replace_policy(s: Scene, actor: User) -> Any:
    command = PolicyCommand(name="Renamed", limits=PolicyLimits())
    return await ReplaceBookingPolicy(s.uow, s.clock)(actor, s.policy.id, command)


async def delete_policy(s: Scene, actor: User) -> Any:
    return await DeleteBookingPolicy(s.uow, s.clock)(actor, s.policy.id)


async def list_users(s: Scene, actor: User) -> Any:
    return await ListUsers(s.uow)(actor, UserFilter(), PageRequest())


async def change_user(s: Scene, actor: User) -> Any:
    command = ChangeUserCommand(role=Role.STAFF)
    return await ChangeUser(s.uow, s.clock)(actor, s.other.id, command)


async def read_audit_log(s: Scene, actor: User) -> Any:
    return await ListAuditEntries(s.uow)(actor, AuditFilter(), PageRequest())


CALLS: dict[str, Call] = {
    "POST /auth/register": sign_up,
    "POST /auth/login": sign_in,
    "GET /auth/me": who_am_i,
    "POST /auth/logout": sign_out,
    "POST /auth/password": change_password,
    "GET /rooms": list_rooms,
    "GET /rooms/{room_id}": get_room,
    "POST /rooms": create_room,
    "PATCH /rooms/{room_id}": update_room,
    "DELETE /rooms/{room_id}": deactivate_room,
    "GET /rooms/{room_id}/opening-hours": get_opening_hours,
    "PUT /rooms/{room_id}/opening-hours": set_opening_hours,
    "POST /bookings": book,
    "GET /bookings": list_bookings,
    "GET /bookings/{booking_id}": get_booking,
    "PATCH /bookings/{booking_id}": change_booking,
    "POST /bookings/{booking_id}/cancel": cancel_booking,
    "POST /bookings/{booking_id}/approve": approve,
    "POST /bookings/{booking_id}/reject": reject,
    "POST /closures": close_rooms,
    "GET /closures": list_closures,
    "GET /closures/{closure_id}": get_closure,
    "DELETE /closures/{closure_id}": delete_closure,
    "POST /bookings/check": check_booking,
    "GET /booking-policies": list_policies,
    "GET /booking-policies/{policy_id}": get_policy,
    "POST /booking-policies": create_policy,
    "PUT /booking-policies/{policy_id}": replace_policy,
    "DELETE /booking-policies/{policy_id}": delete_policy,
    "GET /admin/users": list_users,
    "PATCH /admin/users/{user_id}": change_user,
    "GET /admin/audit": read_audit_log,
}


# --- what the table's notes promise an allowed role ----------------------------------------

# Given the scene, the actor, the route's call and what the call returned.
NoteCheck = Callable[[Scene, User, Call, Any], Awaitable[None]]


async def others_get_404(s: Scene, _: User, call: Call, _result: Any) -> None:
    """The same call by another student, on the student's booking."""
    with pytest.raises(NotFound):
        await call(s, s.other)


async def inactive_rooms_refused(s: Scene, actor: User, _call: Call, _result: Any) -> None:
    with pytest.raises(PermissionDenied):
        await ListRooms(s.uow)(actor, RoomFilter(include_inactive=True), PageRequest())


async def pending(_s: Scene, _actor: User, _call: Call, booking: Booking) -> None:
    assert booking.status is PENDING


async def approved(_s: Scene, _actor: User, _call: Call, booking: Booking) -> None:
    assert booking.status is BookingStatus.APPROVED


async def own_bookings(_s: Scene, actor: User, _call: Call, page: Any) -> None:
    assert {booking.requester_id for booking in page.items} == {actor.id}


async def everyones_bookings(s: Scene, _actor: User, _call: Call, page: Any) -> None:
    assert {booking.requester_id for booking in page.items} == {
        s.people[Role.STUDENT].id,
        s.other.id,
    }


async def deactivated(s: Scene, _actor: User, _call: Call, _result: Any) -> None:
    assert (await GetRoom(s.uow)(s.room.id)).is_active is False


NOTES: dict[str, NoteCheck] = {
    OWN_ONLY: others_get_404,
    "active rooms only; `include_inactive=true`: 403": inactive_rooms_refused,
    "PENDING where approval is needed": pending,
    "APPROVED": approved,
    "own only": own_bookings,
    "all": everyones_bookings,
    "deactivates": deactivated,
}


# --- the tests ------------------------------------------------------------------------------


def cases(allowed: bool) -> list[Any]:
    return [
        pytest.param(rule, role, id=f"{rule.route} as {role}")
        for rule in TABLE
        if rule.route not in NO_USE_CASE
        for role in ROLES
        if (role in rule.allowed) is allowed
    ]


def test_every_route_of_the_table_has_a_use_case_call_or_is_named_as_having_none() -> None:
    assert set(CALLS) | NO_USE_CASE == {rule.route for rule in TABLE}
    assert not set(CALLS) & NO_USE_CASE


def test_every_note_of_the_table_is_checked() -> None:
    assert {note for rule in TABLE for note in rule.notes.values()} == set(NOTES)


@pytest.mark.parametrize(("rule", "role"), cases(allowed=True))
async def test_an_allowed_role_gets_through_with_what_the_note_says(
    scene: Scene, rule: Rule, role: Role
) -> None:
    actor = scene.people[role]
    call = CALLS[rule.route]

    result = await call(scene, actor)

    if note := rule.notes.get(role):
        await NOTES[note](scene, actor, call, result)


@pytest.mark.parametrize(("rule", "role"), cases(allowed=False))
async def test_a_refused_role_is_refused_by_the_use_case_and_changes_nothing(
    scene: Scene, store: MemoryStore, rule: Rule, role: Role
) -> None:
    before = state(store)

    with pytest.raises(PermissionDenied):
        await CALLS[rule.route](scene, scene.people[role])

    assert state(store) == before
