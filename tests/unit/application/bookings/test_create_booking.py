"""CreateBooking: a booking request, approved at once or left pending, or refused."""

from __future__ import annotations

from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import CreateBooking, CreateBookingCommand
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidValue, NotFound, RulesBroken, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.application.booking_requests import RULES, book
from tests.unit.application.fakes import RacedUnitOfWorkFactory
from tests.unit.application.store_state import state
from tests.unit.builders import NOW, add_booking, add_room, add_user, at, slot, times


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


async def test_create_booking_in_an_inactive_room_is_a_rule_broken(
    create: CreateBooking, store: MemoryStore, student: User
) -> None:
    closed = add_room(store, "Closed", is_active=False)
    before = state(store)

    with pytest.raises(RulesBroken) as error:
        await create(student, book(closed, 1, 2))

    assert [(v.code, v.field) for v in error.value.violations] == [("room_inactive", "room_id")]
    assert state(store) == before


@pytest.mark.parametrize(
    ("start", "end", "attendees", "codes"),
    [
        (-0.5, 1, 2, ["in_the_past"]),
        (1, 9.25, 2, ["too_long"]),
        (1, 2, 11, ["over_capacity"]),
        (-0.5, 9, 11, ["in_the_past", "over_capacity", "too_long"]),
    ],
    ids=["past-start", "too-long", "over-capacity", "all-at-once"],
)
async def test_create_booking_breaking_a_rule_lists_every_one_and_writes_nothing(
    create: CreateBooking,
    store: MemoryStore,
    student: User,
    room: Room,
    start: float,
    end: float,
    attendees: int,
    codes: list[str],
) -> None:
    before = state(store)

    with pytest.raises(RulesBroken) as error:
        await create(student, book(room, start, end, attendees=attendees))

    assert [v.code for v in error.value.violations] == codes
    assert state(store) == before


@pytest.mark.parametrize(
    ("start", "end", "attendees", "field"),
    [(1, 2, 0, "attendees"), (2, 1, 2, "ends_at")],
    ids=["no-attendees", "ends-before-start"],
)
async def test_create_booking_with_a_malformed_value_is_an_invalid_value_and_writes_nothing(
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
    add_booking(store, room, slot(4, 6), by=other_student, status=BookingStatus.PENDING)
    add_booking(store, room, slot(1, 3), by=other_student)
    add_booking(store, room, slot(6, 7), by=other_student)
    before = state(store)

    with pytest.raises(SlotTaken) as error:
        await create(student, book(room, 2, 5))

    assert error.value.conflicts == [times(1, 3), times(4, 6)]
    assert state(store) == before


async def test_inactive_bookings_and_other_rooms_do_not_take_the_slot(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    other_room = add_room(store, "Elm")
    add_booking(store, room, slot(1, 3), by=other_student, status=BookingStatus.CANCELLED)
    add_booking(store, room, slot(1, 3), by=other_student, status=BookingStatus.REJECTED)
    add_booking(store, other_room, slot(1, 3), by=other_student)

    booking = await create(student, book(room, 1, 3))

    assert store.bookings[booking.id].slot == slot(1, 3)
    assert len(store.bookings) == 4
    assert store.commits == 1


async def test_a_booking_may_start_when_another_ends_and_end_when_the_next_starts(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    add_booking(store, room, slot(1, 2), by=other_student)
    add_booking(store, room, slot(3, 4), by=other_student)

    booking = await create(student, book(room, 2, 3))

    assert store.bookings[booking.id].slot == slot(2, 3)
    assert store.commits == 1


async def test_when_the_write_refuses_an_overlap_the_clashing_times_are_looked_up_again(
    store: MemoryStore, clock: FixedClock, student: User, other_student: User, room: Room
) -> None:
    add_booking(store, room, slot(1, 3), by=other_student)
    add_booking(store, room, slot(4, 5), by=other_student)
    before = state(store)
    raced = RacedUnitOfWorkFactory(store)

    with pytest.raises(SlotTaken) as error:
        await CreateBooking(raced, clock, RULES)(student, book(room, 2, 6))

    assert error.value.conflicts == [times(1, 3), times(4, 5)]
    assert isinstance(error.value.__cause__, SlotTaken)
    assert error.value.__cause__.conflicts == []
    assert raced.opened == [False, True]
    assert state(store) == before
