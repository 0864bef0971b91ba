"""The audit trail on the memory fakes: each change writes exactly its entry, a refusal none.

Entries are compared field by field (all but their random id) against what the change must
say: which thing, who did it, when by the clock, and the touched fields before and after.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from uuid import UUID, uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory.unit_of_work import (
    MemoryBookingRepository,
    MemoryStore,
    MemoryUnitOfWork,
)
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.audit import ListAuditEntries
from campus_booking.application.auth import (
    CreateAdmin,
    CreateAdminCommand,
    RegisterUser,
    RegisterUserCommand,
)
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.application.throttling import RegistrationThrottle
from campus_booking.application.users import ChangeUser, ChangeUserCommand
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import (
    Conflict,
    InvalidTransition,
    InvalidValue,
    NotFound,
    PermissionDenied,
    SlotTaken,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
LATER = NOW + timedelta(minutes=7)  # the clock is moved here before a change, to tell it apart
RULES = BookingRules(max_duration=timedelta(hours=8))
PASSWORD = "correct horse battery"


def sign_up_throttle(clock: FixedClock) -> RegistrationThrottle:
    """Generous: these tests are about what a sign-up writes, not how often one may."""
    return RegistrationThrottle(
        MemoryFailureCounter(window_seconds=300, clock=clock), per_client=1000
    )


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def iso(hours: float) -> str:
    """How the trail writes the instant `hours` after NOW."""
    return at(hours).isoformat()


class FakeHasher:
    async def hash(self, password: str) -> str:
        return "hashed:" + password

    async def verify(self, password: str, password_hash: str | None) -> bool:
        return password_hash == "hashed:" + password


def add_user(
    store: MemoryStore, name: str, role: Role = Role.STUDENT, *, is_active: bool = True
) -> User:
    user = User(
        email=f"{name}@uni.edu",
        full_name=name.title(),
        password_hash="hash",
        created_at=EARLIER,
        role=role,
        is_active=is_active,
    )
    store.users[user.id] = user
    return user


def add_room(
    store: MemoryStore, name: str = "Oak", *, requires_approval: bool = False, capacity: int = 10
) -> Room:
    room = Room(
        name=name,
        building="Main",
        capacity=capacity,
        created_at=EARLIER,
        features=frozenset({"projector", "audio"}),
        requires_approval=requires_approval,
    )
    store.rooms[room.id] = room
    return room


def add_booking(
    store: MemoryStore,
    room: Room,
    requester: User,
    start: float,
    end: float,
    *,
    status: BookingStatus = BookingStatus.APPROVED,
    decided_by: UUID | None = None,
) -> Booking:
    booking = Booking(
        room_id=room.id,
        requester_id=requester.id,
        slot=TimeSlot(at(start), at(end)),
        title="Seminar",
        attendees=4,
        status=status,
        created_at=EARLIER,
        decided_by=decided_by,
        decided_at=EARLIER if decided_by else None,
        decision_reason="Fine by me" if decided_by else None,
    )
    store.bookings[booking.id] = booking
    return booking


def booking_fields(booking: Booking, **changes: Any) -> dict[str, Any]:
    """All the trail keeps of a stored booking, with `changes` applied."""
    return {
        "room_id": str(booking.room_id),
        "requester_id": str(booking.requester_id),
        "starts_at": booking.slot.start.isoformat(),
        "ends_at": booking.slot.end.isoformat(),
        "title": booking.title,
        "attendees": booking.attendees,
        "status": booking.status.value,
        "decided_by": str(booking.decided_by) if booking.decided_by else None,
        "decision_reason": booking.decision_reason,
        **changes,
    }


def entry(
    entity: Entity,
    entity_id: UUID,
    action: Action,
    actor: User | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    when: datetime = NOW,
) -> dict[str, Any]:
    """An expected entry, as `trail` shows them."""
    return {
        "at": when,
        "actor_id": actor.id if actor else None,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "before": before,
        "after": after,
    }


def without_id(audit_entry: AuditEntry) -> dict[str, Any]:
    fields = asdict(audit_entry)
    del fields["id"]
    return fields


def trail(store: MemoryStore) -> list[dict[str, Any]]:
    """The committed entries in the order written, without their random ids."""
    return [without_id(e) for e in store.audit]


def snapshot(store: MemoryStore) -> list[dict[str, Any]]:
    """The committed entries by value, ids included, to check that a refusal adds none."""
    return [asdict(e) for e in store.audit]


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore()


@pytest.fixture
def uow(store: MemoryStore) -> UnitOfWorkFactory:
    return lambda **kw: MemoryUnitOfWork(store, **kw)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def admin(store: MemoryStore) -> User:
    return add_user(store, "root", Role.ADMIN)


@pytest.fixture
def staff(store: MemoryStore) -> User:
    return add_user(store, "sam", Role.STAFF)


@pytest.fixture
def student(store: MemoryStore) -> User:
    return add_user(store, "stu")


@pytest.fixture
def room(store: MemoryStore) -> Room:
    return add_room(store, "Oak")


@pytest.fixture
def approval_room(store: MemoryStore) -> Room:
    return add_room(store, "Council", requires_approval=True)


@pytest.fixture
def seeded(store: MemoryStore) -> list[dict[str, Any]]:
    """An entry already in the trail, so that 'unchanged' means more than 'still empty'."""
    store.audit.append(
        AuditEntry(
            at=EARLIER,
            actor_id=None,
            entity=Entity.ROOM,
            entity_id=uuid4(),
            action=Action.CREATED,
            before=None,
            after={"name": "Old"},
        )
    )
    return snapshot(store)


# --- accounts -----------------------------------------------------------------------------


async def test_register_user_is_recorded_as_done_by_the_new_user(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    command = RegisterUserCommand(
        email=" Ana@Uni.EDU ", password=PASSWORD, full_name=" Ana  Lima ", client="192.0.2.1"
    )

    user = await RegisterUser(uow, FakeHasher(), clock, sign_up_throttle(clock))(command)

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
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    email: str,
    password: str,
    error: type[Exception],
) -> None:
    add_user(store, "taken")

    with pytest.raises(error):
        await RegisterUser(uow, FakeHasher(), clock, sign_up_throttle(clock))(
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


# --- rooms --------------------------------------------------------------------------------


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
    add_booking(store, room, student, -3, -2)  # over: neither cancelled nor recorded
    later = add_booking(store, room, student, 4, 5, status=BookingStatus.PENDING)
    in_progress = add_booking(store, room, student, -1, 1)
    add_booking(store, room, student, 6, 7, status=BookingStatus.CANCELLED)

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
    add_booking(store, room, student, 1, 2)

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


# --- bookings -----------------------------------------------------------------------------


def book(room: Room, start: float, end: float, title: str = "Study") -> CreateBookingCommand:
    return CreateBookingCommand(
        room_id=room.id, starts_at=at(start), ends_at=at(end), title=title, attendees=3
    )


@pytest.mark.parametrize(
    ("requires_approval", "status"),
    [(False, "APPROVED"), (True, "PENDING")],
)
async def test_create_booking_records_the_whole_booking(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    requires_approval: bool,
    status: str,
) -> None:
    target = add_room(store, "Target", requires_approval=requires_approval)

    booking = await CreateBooking(uow, clock, RULES)(student, book(target, 2, 3, " Exam  prep "))

    after = {
        "room_id": str(target.id),
        "requester_id": str(student.id),
        "starts_at": "2030-01-01T10:00:00+00:00",
        "ends_at": "2030-01-01T11:00:00+00:00",
        "title": "Exam prep",
        "attendees": 3,
        "status": status,
        "decided_by": None,
        "decision_reason": None,
    }
    assert trail(store) == [entry(Entity.BOOKING, booking.id, Action.CREATED, student, None, after)]


async def test_a_booking_refused_for_a_taken_slot_or_a_rule_writes_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    student: User,
    staff: User,
    room: Room,
) -> None:
    add_booking(store, room, staff, 2, 4)
    create = CreateBooking(uow, clock, RULES)

    with pytest.raises(SlotTaken):
        await create(student, book(room, 3, 5))
    with pytest.raises(InvalidValue):
        await create(student, book(room, -1, 1))
    with pytest.raises(NotFound):
        await create(student, CreateBookingCommand(uuid4(), at(1), at(2), "X"))

    assert snapshot(store) == seeded


class BlindOverlapCheck:
    """The real repository with an overlap check that finds nothing, as in a lost race.

    Its writes still refuse overlaps, as the database's guard does.
    """

    def __init__(self, inner: MemoryBookingRepository) -> None:
        self._inner = inner

    async def overlapping(self, *args: Any, **kwargs: Any) -> list[Booking]:
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BlindUnitOfWork(MemoryUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.bookings = BlindOverlapCheck(self.bookings)  # type: ignore[assignment]
        return self


@pytest.fixture
def blind_uow(store: MemoryStore) -> UnitOfWorkFactory:
    """Writes go through blind units of work; the lookup after a refusal sees the truth."""
    return lambda *, read_only=False: (
        MemoryUnitOfWork(store, read_only=True) if read_only else BlindUnitOfWork(store)
    )


async def test_a_booking_refused_by_the_write_backstop_writes_no_entry(
    blind_uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    student: User,
    staff: User,
    room: Room,
) -> None:
    add_booking(store, room, staff, 2, 4)

    with pytest.raises(SlotTaken) as error:
        await CreateBooking(blind_uow, clock, RULES)(student, book(room, 3, 5))

    assert error.value.conflicts == [(at(2), at(4))]
    assert snapshot(store) == seeded


async def test_changing_title_and_attendees_records_those_two_only(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, 2, 3)
    command = ChangeBookingCommand(title="Exam prep", attendees=9, starts_at=at(2))

    await ChangeBooking(uow, clock, RULES)(student, booking.id, command)

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.CHANGED,
            student,
            {"title": "Seminar", "attendees": 4},
            {"title": "Exam prep", "attendees": 9},
        )
    ]


async def test_moving_a_booking_records_the_new_times(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, 2, 3)

    await ChangeBooking(uow, clock, RULES)(
        student, booking.id, ChangeBookingCommand(starts_at=at(5), ends_at=at(6.5))
    )

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.CHANGED,
            student,
            {"starts_at": iso(2), "ends_at": iso(3)},
            {"starts_at": iso(5), "ends_at": iso(6.5)},
        )
    ]


async def test_moving_where_approval_is_needed_records_the_cleared_decision(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, 2, 3, decided_by=staff.id)

    await ChangeBooking(uow, clock, RULES)(
        student, booking.id, ChangeBookingCommand(starts_at=at(4), ends_at=at(5))
    )

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.CHANGED,
            student,
            {
                "starts_at": iso(2),
                "ends_at": iso(3),
                "status": "APPROVED",
                "decided_by": str(staff.id),
                "decision_reason": "Fine by me",
            },
            {
                "starts_at": iso(4),
                "ends_at": iso(5),
                "status": "PENDING",
                "decided_by": None,
                "decision_reason": None,
            },
        )
    ]


async def test_a_booking_change_to_the_current_values_writes_no_entry(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, 2, 3)
    command = ChangeBookingCommand(starts_at=at(2), ends_at=at(3), title=" Seminar ", attendees=4)

    await ChangeBooking(uow, clock, RULES)(student, booking.id, command)

    assert store.audit == []


async def test_refused_booking_changes_write_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    student: User,
    staff: User,
    room: Room,
) -> None:
    mine = add_booking(store, room, student, 2, 3)
    add_booking(store, room, staff, 4, 5)
    cancelled = add_booking(store, room, student, 6, 7, status=BookingStatus.CANCELLED)
    theirs = add_booking(store, room, staff, 8, 9)
    change = ChangeBooking(uow, clock, RULES)

    with pytest.raises(SlotTaken):
        await change(student, mine.id, ChangeBookingCommand(starts_at=at(3), ends_at=at(4.5)))
    with pytest.raises(InvalidTransition):
        await change(student, cancelled.id, ChangeBookingCommand(title="Back"))
    with pytest.raises(NotFound):
        await change(student, theirs.id, ChangeBookingCommand(title="Mine"))
    with pytest.raises(InvalidValue):
        await change(student, mine.id, ChangeBookingCommand(title="x", attendees=11))

    assert snapshot(store) == seeded


async def test_a_booking_change_refused_by_the_write_backstop_writes_no_entry(
    blind_uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    student: User,
    staff: User,
    room: Room,
) -> None:
    mine = add_booking(store, room, student, 2, 3)
    add_booking(store, room, staff, 4, 5)

    with pytest.raises(SlotTaken):
        await ChangeBooking(blind_uow, clock, RULES)(
            student, mine.id, ChangeBookingCommand(title="Moved", ends_at=at(4.5))
        )

    assert snapshot(store) == seeded


@pytest.mark.parametrize("status", [BookingStatus.APPROVED, BookingStatus.PENDING])
async def test_cancelling_records_the_status_only(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    room: Room,
    status: BookingStatus,
) -> None:
    booking = add_booking(store, room, student, 2, 3, status=status)

    await CancelBooking(uow, clock)(student, booking.id)

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.CANCELLED,
            student,
            {"status": status.value},
            {"status": "CANCELLED"},
        )
    ]


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
async def test_cancelling_an_inactive_booking_writes_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    student: User,
    room: Room,
    status: BookingStatus,
) -> None:
    booking = add_booking(store, room, student, 2, 3, status=status)

    with pytest.raises(InvalidTransition):
        await CancelBooking(uow, clock)(student, booking.id)

    assert snapshot(store) == seeded


async def test_approving_records_status_decider_and_reason(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, 2, 3, status=BookingStatus.PENDING)
    clock.set(LATER)

    await DecideBooking(uow, clock).approve(staff, booking.id, "  Enjoy  ")

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.APPROVED,
            staff,
            {"status": "PENDING", "decided_by": None, "decision_reason": None},
            {"status": "APPROVED", "decided_by": str(staff.id), "decision_reason": "Enjoy"},
            LATER,
        )
    ]


async def test_approving_without_a_reason_leaves_the_reason_out(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    admin: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, 2, 3, status=BookingStatus.PENDING)

    await DecideBooking(uow, clock).approve(admin, booking.id)

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.APPROVED,
            admin,
            {"status": "PENDING", "decided_by": None},
            {"status": "APPROVED", "decided_by": str(admin.id)},
        )
    ]


async def test_rejecting_records_status_decider_and_reason(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, 2, 3, status=BookingStatus.PENDING)

    await DecideBooking(uow, clock).reject(staff, booking.id, "Closed for works")

    assert trail(store) == [
        entry(
            Entity.BOOKING,
            booking.id,
            Action.REJECTED,
            staff,
            {"status": "PENDING", "decided_by": None, "decision_reason": None},
            {
                "status": "REJECTED",
                "decided_by": str(staff.id),
                "decision_reason": "Closed for works",
            },
        )
    ]


async def test_refused_decisions_write_no_entry(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    seeded: list[dict[str, Any]],
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    pending = add_booking(store, approval_room, student, 2, 3, status=BookingStatus.PENDING)
    approved = add_booking(store, approval_room, student, 4, 5)
    decide = DecideBooking(uow, clock)

    with pytest.raises(InvalidTransition):
        await decide.approve(staff, approved.id)
    with pytest.raises(InvalidTransition):
        await decide.reject(staff, approved.id, "Too late")
    with pytest.raises(InvalidValue):
        await decide.reject(staff, pending.id, "   ")
    with pytest.raises(PermissionDenied):
        await decide.approve(student, pending.id)
    with pytest.raises(NotFound):
        await decide.approve(staff, uuid4())

    assert snapshot(store) == seeded


async def test_a_day_of_changes_leaves_one_entry_per_change_in_order(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, admin: User, staff: User
) -> None:
    """Every state-changing use-case, one after the other, each at its own clock time."""
    student = await RegisterUser(uow, FakeHasher(), clock, sign_up_throttle(clock))(
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
    first = await CreateBooking(uow, clock, RULES)(student, book(room, 2, 3))
    clock.advance(timedelta(minutes=1))
    await ChangeBooking(uow, clock, RULES)(student, first.id, ChangeBookingCommand(title="X"))
    clock.advance(timedelta(minutes=1))
    await DecideBooking(uow, clock).approve(staff, first.id)
    clock.advance(timedelta(minutes=1))
    second = await CreateBooking(uow, clock, RULES)(student, book(room, 4, 5))
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


# --- ListAuditEntries ---------------------------------------------------------------------


ANA = UUID("00000000-0000-4000-8000-00000000000a")
BEN = UUID("00000000-0000-4000-8000-00000000000b")
ROOM_A = UUID("00000000-0000-4000-8000-0000000000a1")
BOOKING_A = UUID("00000000-0000-4000-8000-0000000000b1")


def logged(
    minutes: int, entity: Entity, entity_id: UUID, actor_id: UUID | None, name: str
) -> AuditEntry:
    """An entry at NOW + `minutes`; `name` in `after` tells entries apart in assertions."""
    return AuditEntry(
        at=NOW + timedelta(minutes=minutes),
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=Action.CHANGED,
        before={"name": "old"},
        after={"name": name},
    )


@pytest.fixture
def logbook(store: MemoryStore) -> None:
    """Six entries, written out of time order so that the listing has to sort them."""
    store.audit.extend(
        [
            logged(20, Entity.ROOM, ROOM_A, ANA, "room-20"),
            logged(0, Entity.USER, ANA, None, "user-0"),
            logged(40, Entity.BOOKING, BOOKING_A, BEN, "booking-40"),
            logged(10, Entity.BOOKING, BOOKING_A, ANA, "booking-10"),
            logged(50, Entity.ROOM, ROOM_A, BEN, "room-50"),
            logged(30, Entity.BOOKING, uuid4(), ANA, "other-booking-30"),
        ]
    )


def names(entries: list[AuditEntry]) -> list[Any]:
    return [e.after["name"] if e.after else None for e in entries]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF])
async def test_only_admins_may_read_the_audit_log(
    uow: UnitOfWorkFactory, store: MemoryStore, logbook: None, role: Role
) -> None:
    caller = add_user(store, "caller", role)

    with pytest.raises(PermissionDenied) as error:
        await ListAuditEntries(uow)(caller, AuditFilter(), PageRequest())

    assert error.value.message == "This needs one of the roles: ADMIN."


async def test_the_log_lists_newest_first_with_the_total(
    uow: UnitOfWorkFactory, logbook: None, admin: User
) -> None:
    page = await ListAuditEntries(uow)(admin, AuditFilter(), PageRequest())

    assert names(page.items) == [
        "room-50",
        "booking-40",
        "other-booking-30",
        "room-20",
        "booking-10",
        "user-0",
    ]
    assert (page.total, page.limit, page.offset) == (6, 50, 0)


@pytest.mark.parametrize(
    ("audit_filter", "expected"),
    [
        (AuditFilter(entity=Entity.ROOM), ["room-50", "room-20"]),
        (AuditFilter(entity=Entity.USER), ["user-0"]),
        (AuditFilter(entity_id=BOOKING_A), ["booking-40", "booking-10"]),
        (AuditFilter(actor_id=ANA), ["other-booking-30", "room-20", "booking-10"]),
        (AuditFilter(actor_id=uuid4()), []),
        (
            AuditFilter(since=NOW + timedelta(minutes=20)),
            ["room-50", "booking-40", "other-booking-30", "room-20"],
        ),
        (AuditFilter(until=NOW + timedelta(minutes=20)), ["booking-10", "user-0"]),
        (
            AuditFilter(since=NOW + timedelta(minutes=10), until=NOW + timedelta(minutes=40)),
            ["other-booking-30", "room-20", "booking-10"],
        ),
        (AuditFilter(entity=Entity.BOOKING, actor_id=ANA), ["other-booking-30", "booking-10"]),
        (AuditFilter(entity=Entity.USER, entity_id=BOOKING_A), []),
    ],
    ids=[
        "entity-room",
        "entity-user",
        "entity-id",
        "actor",
        "unknown-actor",
        "since-is-inclusive",
        "until-is-exclusive",
        "window",
        "entity-and-actor",
        "contradiction",
    ],
)
async def test_the_log_filters(
    uow: UnitOfWorkFactory,
    logbook: None,
    admin: User,
    audit_filter: AuditFilter,
    expected: list[str],
) -> None:
    page = await ListAuditEntries(uow)(admin, audit_filter, PageRequest())

    assert names(page.items) == expected
    assert page.total == len(expected)


async def test_the_log_pages_through_the_filtered_entries(
    uow: UnitOfWorkFactory, logbook: None, admin: User
) -> None:
    list_entries = ListAuditEntries(uow)
    wanted = AuditFilter(entity=Entity.BOOKING)

    first = await list_entries(admin, wanted, PageRequest(limit=2, offset=0))
    last = await list_entries(admin, wanted, PageRequest(limit=2, offset=2))
    beyond = await list_entries(admin, wanted, PageRequest(limit=2, offset=5))

    assert (names(first.items), first.total) == (["booking-40", "other-booking-30"], 3)
    assert (names(last.items), last.total, last.offset) == (["booking-10"], 3, 2)
    assert (beyond.items, beyond.total, beyond.limit) == ([], 3, 2)


async def test_reading_the_log_changes_nothing(
    uow: UnitOfWorkFactory, store: MemoryStore, logbook: None, admin: User
) -> None:
    before = snapshot(store)

    page = await ListAuditEntries(uow)(admin, AuditFilter(), PageRequest())
    page.items[0].after["name"] = "tampered"  # type: ignore[index]

    assert snapshot(store) == before
    assert store.commits == 0
