"""Booking use-cases: request, change, cancel, decide and look up, on the memory fakes."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from uuid import UUID, uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import (
    MemoryBookingRepository,
    MemoryStore,
    MemoryUnitOfWork,
)
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
    GetBooking,
    ListBookings,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import BookingFilter, PageRequest
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import (
    AuthenticationFailed,
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
RULES = BookingRules(max_duration=timedelta(hours=8))


def at(hours: float) -> datetime:
    """The instant `hours` after NOW (before it when negative)."""
    return NOW + timedelta(hours=hours)


def slot(start: float, end: float) -> TimeSlot:
    return TimeSlot(at(start), at(end))


def times(start: float, end: float) -> tuple[datetime, datetime]:
    return at(start), at(end)


def add_user(store: MemoryStore, role: Role = Role.STUDENT) -> User:
    user = User(
        email=f"{uuid4().hex[:8]}@uni.edu",
        full_name="Someone",
        password_hash="hash",
        created_at=EARLIER,
        role=role,
    )
    store.users[user.id] = user
    return user


def add_room(
    store: MemoryStore,
    name: str = "Oak",
    *,
    capacity: int = 10,
    requires_approval: bool = False,
    is_active: bool = True,
) -> Room:
    room = Room(
        name=name,
        building="Main",
        capacity=capacity,
        created_at=EARLIER,
        requires_approval=requires_approval,
        is_active=is_active,
    )
    store.rooms[room.id] = room
    return room


def add_booking(
    store: MemoryStore,
    room: Room,
    requester: User,
    booked: TimeSlot,
    *,
    status: BookingStatus = BookingStatus.APPROVED,
    decided_by: UUID | None = None,
) -> Booking:
    booking = Booking(
        room_id=room.id,
        requester_id=requester.id,
        slot=booked,
        title="Seminar",
        attendees=4,
        status=status,
        created_at=EARLIER,
    )
    if decided_by is not None:
        booking.decided_by = decided_by
        booking.decided_at = EARLIER
        booking.decision_reason = "Fine by me"
    store.bookings[booking.id] = booking
    return booking


def state(store: MemoryStore) -> dict[str, Any]:
    """Everything in the store, by value, to check that a refused write changed nothing."""
    return {
        "commits": store.commits,
        "users": {key: asdict(user) for key, user in store.users.items()},
        "rooms": {key: asdict(room) for key, room in store.rooms.items()},
        "bookings": {key: asdict(booking) for key, booking in store.bookings.items()},
    }


def book(room: Room, start: float, end: float, *, attendees: int = 2) -> CreateBookingCommand:
    return CreateBookingCommand(
        room_id=room.id, starts_at=at(start), ends_at=at(end), title="Study", attendees=attendees
    )


def move(start: float, end: float) -> ChangeBookingCommand:
    return ChangeBookingCommand(starts_at=at(start), ends_at=at(end))


class BlindOverlapCheck:
    """The real repository, except that its overlap check finds nothing.

    Its writes still refuse overlaps, as the database constraint does: this is what a request
    sees when a rival booking is committed between its check and its write.
    """

    def __init__(self, inner: MemoryBookingRepository) -> None:
        self._inner = inner

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BlindUnitOfWork(MemoryUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.bookings = BlindOverlapCheck(self.bookings)  # type: ignore[assignment]
        return self


class RacedUnitOfWorkFactory:
    """Hands out a blind unit of work for the first write, honest ones after; logs each one."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.opened: list[bool] = []  # read_only of each unit of work handed out

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        first_write = not read_only and False not in self.opened
        self.opened.append(read_only)
        if first_write:
            return BlindUnitOfWork(self._store)
        return MemoryUnitOfWork(self._store, read_only=read_only)


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
def create(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateBooking:
    return CreateBooking(uow, clock, RULES)


@pytest.fixture
def change(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeBooking:
    return ChangeBooking(uow, clock, RULES)


@pytest.fixture
def cancel(uow: UnitOfWorkFactory, clock: FixedClock) -> CancelBooking:
    return CancelBooking(uow, clock)


@pytest.fixture
def decide(uow: UnitOfWorkFactory, clock: FixedClock) -> DecideBooking:
    return DecideBooking(uow, clock)


@pytest.fixture
def student(store: MemoryStore) -> User:
    return add_user(store, Role.STUDENT)


@pytest.fixture
def other_student(store: MemoryStore) -> User:
    return add_user(store, Role.STUDENT)


@pytest.fixture
def staff(store: MemoryStore) -> User:
    return add_user(store, Role.STAFF)


@pytest.fixture
def room(store: MemoryStore) -> Room:
    return add_room(store, "Oak", capacity=10)


@pytest.fixture
def approval_room(store: MemoryStore) -> Room:
    return add_room(store, "Council Chamber", capacity=10, requires_approval=True)


# --- CreateBooking ------------------------------------------------------------------------


async def test_create_booking_stores_the_request(
    create: CreateBooking, store: MemoryStore, student: User, room: Room
) -> None:
    command = CreateBookingCommand(
        room_id=room.id, starts_at=at(2), ends_at=at(4), title="  Study   group ", attendees=6
    )

    booking = await create(student, command)

    stored = store.bookings[booking.id]
    assert (stored.room_id, stored.requester_id) == (room.id, student.id)
    assert (stored.slot, stored.title, stored.attendees) == (slot(2, 4), "Study group", 6)
    assert (stored.status, stored.created_at) == (BookingStatus.APPROVED, NOW)
    assert (stored.decided_by, stored.decided_at, stored.decision_reason) == (None, None, None)
    assert list(store.bookings) == [booking.id]
    assert store.commits == 1


@pytest.mark.parametrize(
    ("role", "requires_approval", "status"),
    [
        (Role.STUDENT, False, BookingStatus.APPROVED),
        (Role.STUDENT, True, BookingStatus.PENDING),
        (Role.STAFF, False, BookingStatus.APPROVED),
        (Role.STAFF, True, BookingStatus.APPROVED),
        (Role.ADMIN, False, BookingStatus.APPROVED),
        (Role.ADMIN, True, BookingStatus.APPROVED),
    ],
)
async def test_create_booking_status_follows_the_role_and_the_room(
    create: CreateBooking,
    store: MemoryStore,
    role: Role,
    requires_approval: bool,
    status: BookingStatus,
) -> None:
    actor = add_user(store, role)
    target = add_room(store, requires_approval=requires_approval)

    booking = await create(actor, book(target, 1, 2))

    assert booking.status is status
    assert store.bookings[booking.id].status is status


async def test_create_booking_in_an_unknown_room_is_not_found(
    create: CreateBooking, store: MemoryStore, student: User, room: Room
) -> None:
    before = state(store)
    command = CreateBookingCommand(room_id=uuid4(), starts_at=at(1), ends_at=at(2), title="X")

    with pytest.raises(NotFound) as error:
        await create(student, command)

    assert error.value.message == "Room not found."
    assert state(store) == before


async def test_create_booking_in_an_inactive_room_is_a_conflict(
    create: CreateBooking, store: MemoryStore, student: User
) -> None:
    closed = add_room(store, "Closed", is_active=False)
    before = state(store)

    with pytest.raises(Conflict) as error:
        await create(student, book(closed, 1, 2))

    assert type(error.value) is Conflict
    assert error.value.message == "Room 'Closed' is no longer in use and cannot be booked."
    assert state(store) == before


@pytest.mark.parametrize(
    ("start", "end", "attendees", "field"),
    [
        (-0.5, 1, 2, "starts_at"),
        (1, 9.25, 2, "ends_at"),
        (1, 2, 11, "attendees"),
        (1, 2, 0, "attendees"),
        (2, 1, 2, "ends_at"),
    ],
    ids=["past-start", "too-long", "over-capacity", "no-attendees", "ends-before-start"],
)
async def test_create_booking_breaking_a_rule_is_an_invalid_value_and_writes_nothing(
    create: CreateBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
    attendees: int,
    field: str,
) -> None:
    before = state(store)

    with pytest.raises(InvalidValue) as error:
        await create(student, book(room, start, end, attendees=attendees))

    assert error.value.field == field
    assert state(store) == before


async def test_create_booking_at_the_limits_of_the_rules_is_accepted(
    create: CreateBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = await create(student, book(room, 0, 8, attendees=10))

    assert (store.bookings[booking.id].slot, store.bookings[booking.id].attendees) == (
        slot(0, 8),
        10,
    )
    assert store.commits == 1


async def test_create_booking_over_taken_slots_lists_the_clashing_times(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    add_booking(store, room, other_student, slot(4, 6), status=BookingStatus.PENDING)
    add_booking(store, room, other_student, slot(1, 3))
    add_booking(store, room, other_student, slot(6, 7))
    before = state(store)

    with pytest.raises(SlotTaken) as error:
        await create(student, book(room, 2, 5))

    assert error.value.conflicts == [times(1, 3), times(4, 6)]
    assert state(store) == before


async def test_inactive_bookings_and_other_rooms_do_not_take_the_slot(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    other_room = add_room(store, "Elm")
    add_booking(store, room, other_student, slot(1, 3), status=BookingStatus.CANCELLED)
    add_booking(store, room, other_student, slot(1, 3), status=BookingStatus.REJECTED)
    add_booking(store, other_room, other_student, slot(1, 3))

    booking = await create(student, book(room, 1, 3))

    assert store.bookings[booking.id].slot == slot(1, 3)
    assert len(store.bookings) == 4
    assert store.commits == 1


async def test_a_booking_may_start_when_another_ends_and_end_when_the_next_starts(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    add_booking(store, room, other_student, slot(1, 2))
    add_booking(store, room, other_student, slot(3, 4))

    booking = await create(student, book(room, 2, 3))

    assert store.bookings[booking.id].slot == slot(2, 3)
    assert store.commits == 1


async def test_when_the_write_refuses_an_overlap_the_clashing_times_are_looked_up_again(
    store: MemoryStore, clock: FixedClock, student: User, other_student: User, room: Room
) -> None:
    add_booking(store, room, other_student, slot(1, 3))
    add_booking(store, room, other_student, slot(4, 5))
    before = state(store)
    raced = RacedUnitOfWorkFactory(store)

    with pytest.raises(SlotTaken) as error:
        await CreateBooking(raced, clock, RULES)(student, book(room, 2, 6))

    assert error.value.conflicts == [times(1, 3), times(4, 5)]
    assert isinstance(error.value.__cause__, SlotTaken)
    assert error.value.__cause__.conflicts == []
    assert raced.opened == [False, True]
    assert state(store) == before


# --- ChangeBooking ------------------------------------------------------------------------


async def test_change_booking_title_and_attendees_keeps_the_slot_and_status(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))

    changed = await change(
        student, booking.id, ChangeBookingCommand(title=" Exam  prep ", attendees=9)
    )

    stored = store.bookings[booking.id]
    assert (stored.title, stored.attendees) == ("Exam prep", 9)
    assert (stored.slot, stored.status) == (slot(2, 3), BookingStatus.APPROVED)
    assert asdict(changed) == asdict(stored)
    assert store.commits == 1


async def test_change_booking_moves_it_to_new_times(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))

    await change(student, booking.id, move(5, 7))

    stored = store.bookings[booking.id]
    assert (stored.slot, stored.title, stored.attendees) == (slot(5, 7), "Seminar", 4)
    assert store.commits == 1


async def test_change_booking_with_only_a_new_end_keeps_the_start(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))

    await change(student, booking.id, ChangeBookingCommand(ends_at=at(4)))

    assert store.bookings[booking.id].slot == slot(2, 4)


async def test_change_booking_of_another_student_is_not_found(
    change: ChangeBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, other_student, slot(2, 3))
    before = state(store)

    with pytest.raises(NotFound) as error:
        await change(student, booking.id, ChangeBookingCommand(title="Mine now"))

    assert error.value.message == "Booking not found."
    assert state(store) == before


async def test_change_booking_of_an_unknown_id_is_not_found(
    change: ChangeBooking, store: MemoryStore, student: User
) -> None:
    with pytest.raises(NotFound) as error:
        await change(student, uuid4(), ChangeBookingCommand(title="X"))

    assert error.value.message == "Booking not found."
    assert store.commits == 0


async def test_staff_may_change_a_students_booking(
    change: ChangeBooking, store: MemoryStore, student: User, staff: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))

    await change(staff, booking.id, ChangeBookingCommand(attendees=7))

    assert store.bookings[booking.id].attendees == 7
    assert store.bookings[booking.id].requester_id == student.id


@pytest.mark.parametrize(("start", "end"), [(0, 1), (-1, 1)], ids=["starts-now", "in-progress"])
async def test_a_booking_that_has_started_cannot_be_changed(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
) -> None:
    booking = add_booking(store, room, student, slot(start, end))
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await change(student, booking.id, ChangeBookingCommand(title="Later"))

    assert error.value.message == "A booking that has started cannot be changed."
    assert state(store) == before


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
async def test_an_inactive_booking_cannot_be_changed(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room, status: BookingStatus
) -> None:
    booking = add_booking(store, room, student, slot(2, 3), status=status)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await change(student, booking.id, move(4, 5))

    assert error.value.message == f"A {status.value} booking cannot be changed."
    assert state(store) == before


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (ChangeBookingCommand(attendees=11), "attendees"),
        (ChangeBookingCommand(ends_at=at(11)), "ends_at"),
        (ChangeBookingCommand(starts_at=at(-1)), "starts_at"),
        (ChangeBookingCommand(title="   "), "title"),
    ],
    ids=["over-capacity", "too-long", "into-the-past", "blank-title"],
)
async def test_change_booking_breaking_a_rule_is_refused_and_writes_nothing(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    command: ChangeBookingCommand,
    field: str,
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))
    before = state(store)

    with pytest.raises(InvalidValue) as error:
        await change(student, booking.id, command)

    assert error.value.field == field
    assert state(store) == before


async def test_a_student_moving_an_approved_booking_in_an_approval_room_asks_again(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, slot(2, 3), decided_by=staff.id)

    changed = await change(student, booking.id, move(4, 5))

    stored = store.bookings[booking.id]
    assert (stored.status, stored.slot) == (BookingStatus.PENDING, slot(4, 5))
    assert (stored.decided_by, stored.decided_at, stored.decision_reason) == (None, None, None)
    assert changed.status is BookingStatus.PENDING
    assert store.commits == 1


async def test_a_student_retitling_an_approved_booking_in_an_approval_room_keeps_the_approval(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, slot(2, 3), decided_by=staff.id)

    await change(student, booking.id, ChangeBookingCommand(title="Renamed", attendees=5))

    stored = store.bookings[booking.id]
    assert stored.status is BookingStatus.APPROVED
    assert (stored.decided_by, stored.decided_at, stored.decision_reason) == (
        staff.id,
        EARLIER,
        "Fine by me",
    )


async def test_a_student_resending_the_same_times_in_an_approval_room_keeps_the_approval(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, student, slot(2, 3), decided_by=staff.id)

    await change(student, booking.id, move(2, 3))

    stored = store.bookings[booking.id]
    assert (stored.status, stored.decided_by) == (BookingStatus.APPROVED, staff.id)


async def test_a_student_moving_an_approved_booking_in_an_open_room_keeps_the_approval(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))

    await change(student, booking.id, move(4, 5))

    assert store.bookings[booking.id].status is BookingStatus.APPROVED


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_moving_an_approved_booking_in_an_approval_room_keeps_it_approved(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    role: Role,
) -> None:
    manager = add_user(store, role)
    booking = add_booking(store, approval_room, student, slot(2, 3), decided_by=staff.id)

    await change(manager, booking.id, move(4, 5))

    stored = store.bookings[booking.id]
    assert (stored.status, stored.slot) == (BookingStatus.APPROVED, slot(4, 5))
    assert (stored.decided_by, stored.decided_at, stored.decision_reason) == (
        staff.id,
        EARLIER,
        "Fine by me",
    )


async def test_moving_a_booking_onto_another_is_slot_taken_and_writes_nothing(
    change: ChangeBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(2, 3))
    add_booking(store, room, other_student, slot(4, 6))
    before = state(store)

    with pytest.raises(SlotTaken) as error:
        await change(student, booking.id, move(3, 5))

    assert error.value.conflicts == [times(4, 6)]
    assert state(store) == before


@pytest.mark.parametrize(("start", "end"), [(2.5, 3.5), (1.5, 2.5), (1, 4)])
async def test_moving_a_booking_over_its_own_slot_is_fine(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
) -> None:
    booking = add_booking(store, room, student, slot(1.5, 3.5))

    await change(student, booking.id, move(start, end))

    assert store.bookings[booking.id].slot == slot(start, end)
    assert store.commits == 1


async def test_when_the_write_refuses_a_move_the_clashing_times_are_looked_up_again(
    store: MemoryStore, clock: FixedClock, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(1, 2))
    add_booking(store, room, other_student, slot(3, 4))
    before = state(store)
    raced = RacedUnitOfWorkFactory(store)

    with pytest.raises(SlotTaken) as error:
        await ChangeBooking(raced, clock, RULES)(student, booking.id, move(1, 3.5))

    assert error.value.conflicts == [times(3, 4)]
    assert raced.opened == [False, True]
    assert state(store) == before


# --- CancelBooking ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (1, 2, BookingStatus.APPROVED),
        (1, 2, BookingStatus.PENDING),
        (-1, 1, BookingStatus.APPROVED),
    ],
    ids=["upcoming", "pending", "in-progress"],
)
async def test_the_requester_may_cancel_until_the_booking_ends(
    cancel: CancelBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
    status: BookingStatus,
) -> None:
    booking = add_booking(store, room, student, slot(start, end), status=status)

    cancelled = await cancel(student, booking.id)

    assert store.bookings[booking.id].status is BookingStatus.CANCELLED
    assert cancelled.status is BookingStatus.CANCELLED
    assert store.commits == 1


@pytest.mark.parametrize(("start", "end"), [(-1, 0), (-3, -2)], ids=["just-ended", "long-ago"])
async def test_the_requester_may_not_cancel_after_the_end(
    cancel: CancelBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
) -> None:
    booking = add_booking(store, room, student, slot(start, end))
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await cancel(student, booking.id)

    assert error.value.message == "A booking that has ended cannot be cancelled."
    assert state(store) == before


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_may_cancel_after_the_end(
    cancel: CancelBooking, store: MemoryStore, student: User, room: Room, role: Role
) -> None:
    manager = add_user(store, role)
    booking = add_booking(store, room, student, slot(-3, -2))

    await cancel(manager, booking.id)

    assert store.bookings[booking.id].status is BookingStatus.CANCELLED
    assert store.commits == 1


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
async def test_an_inactive_booking_cannot_be_cancelled(
    cancel: CancelBooking, store: MemoryStore, student: User, room: Room, status: BookingStatus
) -> None:
    booking = add_booking(store, room, student, slot(1, 2), status=status)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await cancel(student, booking.id)

    assert error.value.message == f"A {status.value} booking cannot be cancelled."
    assert state(store) == before


async def test_cancelling_another_students_booking_is_not_found(
    cancel: CancelBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, other_student, slot(1, 2))
    before = state(store)

    with pytest.raises(NotFound) as error:
        await cancel(student, booking.id)

    assert error.value.message == "Booking not found."
    assert state(store) == before


# --- DecideBooking ------------------------------------------------------------------------


async def test_approving_records_who_when_and_why(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, approval_room: Room
) -> None:
    booking = add_booking(store, approval_room, student, slot(1, 2), status=BookingStatus.PENDING)

    decided = await decide.approve(staff, booking.id, "  Enjoy  ")

    stored = store.bookings[booking.id]
    assert stored.status is BookingStatus.APPROVED
    assert (stored.decided_by, stored.decided_at, stored.decision_reason) == (
        staff.id,
        NOW,
        "Enjoy",
    )
    assert asdict(decided) == asdict(stored)
    assert store.commits == 1


async def test_approving_without_a_reason_records_none(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, approval_room: Room
) -> None:
    booking = add_booking(store, approval_room, student, slot(1, 2), status=BookingStatus.PENDING)

    await decide.approve(staff, booking.id)

    stored = store.bookings[booking.id]
    assert (stored.status, stored.decided_by, stored.decided_at, stored.decision_reason) == (
        BookingStatus.APPROVED,
        staff.id,
        NOW,
        None,
    )


async def test_rejecting_records_who_when_and_why(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, approval_room: Room
) -> None:
    booking = add_booking(store, approval_room, student, slot(1, 2), status=BookingStatus.PENDING)

    await decide.reject(staff, booking.id, " Exams that week ")

    stored = store.bookings[booking.id]
    assert (stored.status, stored.decided_by, stored.decided_at, stored.decision_reason) == (
        BookingStatus.REJECTED,
        staff.id,
        NOW,
        "Exams that week",
    )
    assert store.commits == 1


@pytest.mark.parametrize(
    "status", [BookingStatus.APPROVED, BookingStatus.REJECTED, BookingStatus.CANCELLED]
)
@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_only_a_pending_booking_can_be_decided(
    decide: DecideBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    status: BookingStatus,
    decision: str,
) -> None:
    booking = add_booking(store, approval_room, student, slot(1, 2), status=status)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await getattr(decide, decision)(staff, booking.id, "Because")

    assert error.value.message == (
        f"Only a PENDING booking can be decided; this one is {status.value}."
    )
    assert state(store) == before


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("ended_hours_ago", [0, 1])
async def test_a_pending_booking_that_has_ended_can_no_longer_be_decided(
    decide: DecideBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    decision: str,
    ended_hours_ago: int,
) -> None:
    ended = slot(-2 - ended_hours_ago, -ended_hours_ago)
    booking = add_booking(store, approval_room, student, ended, status=BookingStatus.PENDING)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await getattr(decide, decision)(staff, booking.id, "Because")

    assert error.value.message == "A booking that has ended can no longer be decided."
    assert state(store) == before


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_pending_booking_in_an_inactive_room_cannot_be_decided(
    decide: DecideBooking, store: MemoryStore, student: User, staff: User, decision: str
) -> None:
    closed = add_room(store, "Closed Hall", requires_approval=True, is_active=False)
    booking = add_booking(store, closed, student, slot(1, 2), status=BookingStatus.PENDING)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await getattr(decide, decision)(staff, booking.id, "Because")

    assert "no longer in use" in error.value.message
    assert state(store) == before


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
    booking = add_booking(store, approval_room, student, slot(1, 2), status=BookingStatus.PENDING)
    signed_in = User(**asdict(staff))  # what the caller was authenticated as
    if change == "deleted":
        del store.users[staff.id]
    elif change == "demoted":
        store.users[staff.id].change_role(Role.STUDENT)
    else:
        store.users[staff.id].deactivate()
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


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
async def test_rejecting_without_a_reason_is_an_invalid_value(
    decide: DecideBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
    reason: str,
) -> None:
    booking = add_booking(store, approval_room, student, slot(1, 2), status=BookingStatus.PENDING)
    before = state(store)

    with pytest.raises(InvalidValue) as error:
        await decide.reject(staff, booking.id, reason)

    assert error.value.field == "reason"
    assert state(store) == before


async def test_deciding_an_unknown_booking_is_not_found(
    decide: DecideBooking, store: MemoryStore, staff: User
) -> None:
    with pytest.raises(NotFound) as error:
        await decide.approve(staff, uuid4())

    assert error.value.message == "Booking not found."
    assert store.commits == 0


# --- GetBooking ---------------------------------------------------------------------------


async def test_the_requester_gets_their_booking(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, student, slot(1, 2))

    found = await GetBooking(uow)(student, booking.id)

    assert asdict(found) == asdict(booking)


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_get_anyones_booking(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room, role: Role
) -> None:
    manager = add_user(store, role)
    booking = add_booking(store, room, student, slot(1, 2))

    found = await GetBooking(uow)(manager, booking.id)

    assert (found.id, found.requester_id) == (booking.id, student.id)


async def test_another_students_booking_is_not_found(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, other_student, slot(1, 2))

    with pytest.raises(NotFound) as error:
        await GetBooking(uow)(student, booking.id)

    assert error.value.message == "Booking not found."


async def test_an_unknown_booking_is_not_found(uow: UnitOfWorkFactory, staff: User) -> None:
    with pytest.raises(NotFound) as error:
        await GetBooking(uow)(staff, uuid4())

    assert error.value.message == "Booking not found."


# --- ListBookings -------------------------------------------------------------------------


async def test_a_student_lists_only_their_own_bookings_whatever_the_filter_asks(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    late = add_booking(store, room, student, slot(5, 6))
    early = add_booking(store, room, student, slot(1, 2))
    add_booking(store, room, other_student, slot(3, 4))
    list_bookings = ListBookings(uow)

    unfiltered = await list_bookings(student, BookingFilter(), PageRequest())
    asked_for_other = await list_bookings(
        student, BookingFilter(requester_id=other_student.id), PageRequest()
    )

    assert [b.id for b in unfiltered.items] == [early.id, late.id]
    assert unfiltered.total == 2
    assert [b.id for b in asked_for_other.items] == [early.id, late.id]
    assert asked_for_other.total == 2


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_list_everyones_bookings_by_start(
    uow: UnitOfWorkFactory,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    role: Role,
) -> None:
    manager = add_user(store, role)
    second = add_booking(store, room, student, slot(3, 4))
    first = add_booking(store, room, other_student, slot(1, 2))
    third = add_booking(store, room, manager, slot(5, 6))

    page = await ListBookings(uow)(manager, BookingFilter(), PageRequest())

    assert [b.id for b in page.items] == [first.id, second.id, third.id]
    assert page.total == 3


async def test_staff_may_filter_by_requester(
    uow: UnitOfWorkFactory,
    store: MemoryStore,
    student: User,
    other_student: User,
    staff: User,
    room: Room,
) -> None:
    add_booking(store, room, student, slot(1, 2))
    theirs = add_booking(store, room, other_student, slot(3, 4))

    page = await ListBookings(uow)(
        staff, BookingFilter(requester_id=other_student.id), PageRequest()
    )

    assert [b.id for b in page.items] == [theirs.id]
    assert page.total == 1


async def test_list_bookings_filters_by_status(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room
) -> None:
    pending = add_booking(store, room, student, slot(1, 2), status=BookingStatus.PENDING)
    add_booking(store, room, student, slot(3, 4), status=BookingStatus.APPROVED)
    cancelled = add_booking(store, room, student, slot(5, 6), status=BookingStatus.CANCELLED)
    add_booking(store, room, student, slot(7, 8), status=BookingStatus.REJECTED)
    wanted = BookingFilter(statuses=frozenset({BookingStatus.PENDING, BookingStatus.CANCELLED}))

    page = await ListBookings(uow)(student, wanted, PageRequest())

    assert [b.id for b in page.items] == [pending.id, cancelled.id]
    assert page.total == 2


async def test_list_bookings_window_keeps_the_bookings_overlapping_it(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    def booked(start: float, end: float) -> Booking:
        return add_booking(store, add_room(store, f"Room {start}-{end}"), student, slot(start, end))

    booked(8, 10)  # ends as the window opens
    covering = booked(7, 15)
    starts_before = booked(9, 11)
    inside = booked(10.5, 11.5)
    runs_past = booked(11.5, 13)
    booked(12, 14)  # starts as the window closes
    booked(16, 17)
    window = BookingFilter(ends_after=at(10), starts_before=at(12))

    page = await ListBookings(uow)(student, window, PageRequest())

    assert [b.id for b in page.items] == [covering.id, starts_before.id, inside.id, runs_past.id]
    assert page.total == 4


async def test_list_bookings_pages(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room
) -> None:
    bookings = [add_booking(store, room, student, slot(hour, hour + 1)) for hour in range(1, 6)]

    page = await ListBookings(uow)(student, BookingFilter(), PageRequest(limit=2, offset=1))

    assert [b.id for b in page.items] == [bookings[1].id, bookings[2].id]
    assert (page.total, page.limit, page.offset) == (5, 2, 1)


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_student_cannot_decide_even_their_own_booking(
    decide: DecideBooking, store: MemoryStore, student: User, approval_room: Room, decision: str
) -> None:
    pending = add_booking(store, approval_room, student, slot(2, 3), status=BookingStatus.PENDING)
    before = state(store)

    with pytest.raises(PermissionDenied):
        await getattr(decide, decision)(student, pending.id, "I say so")

    assert state(store) == before
