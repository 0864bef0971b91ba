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
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryAccountLookup, MemoryStore
from campus_booking.adapters.recurrence.dateutil_expander import expand_recurrence
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
from campus_booking.application.availability import GetAvailabilityGrid, GetRoomAvailability
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
from campus_booking.application.calendar_feeds import (
    CreatedFeed,
    CreateFeed,
    CreateFeedCommand,
    DeleteFeed,
    ListFeeds,
    ReadFeed,
)
from campus_booking.application.closures import (
    CreateClosures,
    CreateClosuresCommand,
    DeleteClosure,
    GetClosure,
    ListClosures,
)
from campus_booking.application.free_rooms import FindFreeRooms, FreeRoomQuery
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
    SeriesFilter,
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
from campus_booking.application.series import (
    AddOccurrence,
    CancelSeries,
    ChangeSeries,
    ChangeSeriesCommand,
    CreateSeries,
    CreateSeriesCommand,
    DecideSeries,
    GetSeries,
    ListSeries,
    PreviewSeries,
    SeriesView,
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
from campus_booking.domain.calendar_feeds import CalendarFeed, FeedScope
from campus_booking.domain.closures import Closure
from campus_booking.domain.errors import NotFound, PermissionDenied
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.e2e.security.permissions import (
    ANONYMOUS,
    EVERY_ID,
    OWN_FEED,
    OWN_IDS,
    OWN_ONLY,
    TABLE,
    TOKEN_IS_KEY,
    Rule,
)
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
    series: SeriesView  # the student's, in the room that needs approval; its last date cancelled
    feeds: dict[UUID, CreatedFeed]  # one of their own bookings for everyone, the other too

    def login_throttle(self) -> LoginThrottle:
        counter = MemoryFailureCounter(window_seconds=300, clock=self.clock)
        return LoginThrottle(counter, per_account_and_client=5, per_account=10, per_client=10)


SERIES_START = at(50)  # two days after NOW, clear of the bookings of the scene
SERIES_DAYS = (SERIES_START + timedelta(weeks=2)).date()  # the student's series' last date


@pytest.fixture
async def scene(
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
    series = await make_series(uow, clock, student, approval_room, SERIES_START)
    last = series.occurrences[-1]
    last.cancel(by=student.id, at=clock.now())
    store.bookings[last.id] = last
    await make_series(uow, clock, other_student, approval_room, SERIES_START + timedelta(hours=2))
    feeds = {
        user.id: await CreateFeed(uow, clock)(user, CreateFeedCommand(FeedScope.MINE))
        for user in (student, other_student, staff, admin)
    }
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
        series,
        feeds,
    )


def series_request(room: Room, starts_at: datetime) -> CreateSeriesCommand:
    return CreateSeriesCommand(
        room_id=room.id,
        title="Tutorial",
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        recurrence="FREQ=WEEKLY;COUNT=3",
    )


async def make_series(
    uow: UnitOfWorkFactory, clock: FixedClock, by: User, room: Room, starts_at: datetime
) -> SeriesView:
    return await CreateSeries(uow, clock, BookingRules(), expand_recurrence)(
        by, series_request(room, starts_at)
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


async def create_series(s: Scene, actor: User) -> Any:
    return await make_series(s.uow, s.clock, actor, s.approval_room, at(100))


async def preview_series(s: Scene, actor: User) -> Any:
    use_case = PreviewSeries(s.uow, s.clock, BookingRules(), expand_recurrence)
    return await use_case(actor, series_request(s.room, at(100)))


async def list_series(s: Scene, actor: User) -> Any:
    return await ListSeries(s.uow, s.clock)(actor, SeriesFilter(), PageRequest())


async def get_series(s: Scene, actor: User) -> Any:
    return await GetSeries(s.uow, s.clock)(actor, s.series.series.id)


async def change_series(s: Scene, actor: User) -> Any:
    use_case = ChangeSeries(s.uow, s.clock, BookingRules(), expand_recurrence)
    return await use_case(actor, s.series.series.id, ChangeSeriesCommand(title="Renamed"))


async def cancel_series(s: Scene, actor: User) -> Any:
    return await CancelSeries(s.uow, s.clock)(actor, s.series.series.id)


async def add_occurrence(s: Scene, actor: User) -> Any:
    use_case = AddOccurrence(s.uow, s.clock, BookingRules(), expand_recurrence)
    return await use_case(actor, s.series.series.id, SERIES_DAYS)


async def approve_series(s: Scene, actor: User) -> Any:
    return await DecideSeries(s.uow, s.clock).approve(actor, s.series.series.id)


async def reject_series(s: Scene, actor: User) -> Any:
    return await DecideSeries(s.uow, s.clock).reject(actor, s.series.series.id, "Exams")


async def create_feed(s: Scene, actor: User) -> Any:
    return await CreateFeed(s.uow, s.clock)(actor, CreateFeedCommand(FeedScope.MINE))


async def list_feeds(s: Scene, actor: User) -> Any:
    return await ListFeeds(s.uow)(actor)


async def delete_feed(s: Scene, actor: User) -> Any:
    return await DeleteFeed(s.uow)(actor, s.feeds[actor.id].feed.id)


def feed_reader(s: Scene) -> ReadFeed:
    return ReadFeed(s.uow, s.clock, expand_recurrence, days_back=30, days_ahead=365)


async def read_feed(s: Scene, _: User) -> Any:
    return await feed_reader(s)(s.feeds[s.people[Role.STUDENT].id].token)


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


async def room_availability(s: Scene, actor: User) -> Any:
    """Of the room that holds the student's and the other student's bookings."""
    return await GetRoomAvailability(s.uow)(actor, s.approval_room.id, at(0), at(24))


async def availability_grid(s: Scene, actor: User) -> Any:
    return await GetAvailabilityGrid(s.uow)(actor, [s.room.id], at(0), at(24), 30)


async def free_rooms(s: Scene, actor: User) -> Any:
    query = FreeRoomQuery(starts_at=at(5), ends_at=at(6))
    return await FindFreeRooms(s.uow, s.clock, BookingRules())(actor, query)


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
    "POST /booking-series": create_series,
    "POST /booking-series/preview": preview_series,
    "GET /booking-series": list_series,
    "GET /booking-series/{series_id}": get_series,
    "PATCH /booking-series/{series_id}": change_series,
    "POST /booking-series/{series_id}/cancel": cancel_series,
    "POST /booking-series/{series_id}/occurrences": add_occurrence,
    "POST /booking-series/{series_id}/approve": approve_series,
    "POST /booking-series/{series_id}/reject": reject_series,
    "POST /calendar/feeds": create_feed,
    "GET /calendar/feeds": list_feeds,
    "DELETE /calendar/feeds/{feed}": delete_feed,
    "GET /calendar/feeds/{feed}": read_feed,
    "POST /closures": close_rooms,
    "GET /closures": list_closures,
    "GET /closures/{closure_id}": get_closure,
    "DELETE /closures/{closure_id}": delete_closure,
    "POST /bookings/check": check_booking,
    "GET /rooms/{room_id}/availability": room_availability,
    "GET /availability": availability_grid,
    "GET /rooms/free": free_rooms,
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


async def others_feed_404(s: Scene, actor: User, call: Call, _result: Any) -> None:
    """Another student deleting the actor's feed (made again, as the call revoked it)."""
    s.feeds[actor.id] = await create_feed(s, actor)
    with pytest.raises(NotFound):
        await DeleteFeed(s.uow)(s.other, s.feeds[actor.id].feed.id)


async def token_is_key(s: Scene, _actor: User, _call: Call, _result: Any) -> None:
    revoked = s.feeds[s.other.id]
    await DeleteFeed(s.uow)(s.other, revoked.feed.id)
    for token in (revoked.token, "not-a-token", s.feeds[s.other.id].token[:-1] + "x"):
        with pytest.raises(NotFound):
            await feed_reader(s)(token)


async def pending(_s: Scene, _actor: User, _call: Call, made: Booking | SeriesView) -> None:
    assert made.status == PENDING.value


async def approved(_s: Scene, _actor: User, _call: Call, booking: Booking) -> None:
    assert booking.status is BookingStatus.APPROVED


def owner_of(item: Booking | SeriesView | CalendarFeed) -> UUID:
    if isinstance(item, Booking):
        return item.requester_id
    if isinstance(item, SeriesView):
        return item.series.requester_id
    return item.owner_id


def items_of(found: Any) -> list[Any]:
    return found if isinstance(found, list) else found.items


async def own_bookings(_s: Scene, actor: User, _call: Call, found: Any) -> None:
    assert {owner_of(item) for item in items_of(found)} == {actor.id}


async def everyones_bookings(s: Scene, _actor: User, _call: Call, found: Any) -> None:
    assert {owner_of(item) for item in items_of(found)} == {
        s.people[Role.STUDENT].id,
        s.other.id,
    }


async def deactivated(s: Scene, _actor: User, _call: Call, _result: Any) -> None:
    assert (await GetRoom(s.uow)(s.room.id)).is_active is False


async def own_ids(s: Scene, actor: User, _call: Call, availability: Any) -> None:
    shown = {busy.booking_id for busy in availability.busy}
    assert shown == {s.booking.id, None}  # the other student's booking: its times alone


async def every_id(s: Scene, _actor: User, _call: Call, availability: Any) -> None:
    shown = {busy.booking_id for busy in availability.busy}
    assert len(shown) == 2
    assert s.booking.id in shown
    assert None not in shown


NOTES: dict[str, NoteCheck] = {
    OWN_ONLY: others_get_404,
    OWN_FEED: others_feed_404,
    TOKEN_IS_KEY: token_is_key,
    "active rooms only; `include_inactive=true`: 403": inactive_rooms_refused,
    "PENDING where approval is needed": pending,
    "APPROVED": approved,
    "own only": own_bookings,
    "all": everyones_bookings,
    "deactivates": deactivated,
    OWN_IDS: own_ids,
    EVERY_ID: every_id,
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


async def test_a_feed_is_read_by_its_token_alone(scene: Scene) -> None:
    """The note of the feed's URL, for the anonymous caller the roles above leave out."""
    (rule,) = [rule for rule in TABLE if rule.route == "GET /calendar/feeds/{feed}"]
    feed = await read_feed(scene, scene.other)

    assert feed.events
    await NOTES[rule.notes[ANONYMOUS]](scene, scene.other, read_feed, feed)
