"""ChangeBooking: new times, title or attendees, and when a change asks for approval again."""

from __future__ import annotations

from dataclasses import asdict
from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import ChangeBooking, ChangeBookingCommand
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import (
    InvalidTransition,
    InvalidValue,
    NotFound,
    RulesBroken,
    SlotTaken,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.application.booking_requests import RULES, move
from tests.unit.application.fakes import RacedUnitOfWorkFactory
from tests.unit.application.store_state import state
from tests.unit.builders import EARLIER, add_booking, add_user, at, slot, times


async def test_change_booking_title_and_attendees_keeps_the_slot_and_status(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(2, 3), by=student)

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
    booking = add_booking(store, room, slot(2, 3), by=student)

    await change(student, booking.id, move(5, 7))

    stored = store.bookings[booking.id]
    assert (stored.slot, stored.title, stored.attendees) == (slot(5, 7), "Seminar", 4)
    assert store.commits == 1


async def test_change_booking_with_only_a_new_end_keeps_the_start(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(2, 3), by=student)

    await change(student, booking.id, ChangeBookingCommand(ends_at=at(4)))

    assert store.bookings[booking.id].slot == slot(2, 4)


async def test_change_booking_of_another_student_is_not_found(
    change: ChangeBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(2, 3), by=other_student)
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
    booking = add_booking(store, room, slot(2, 3), by=student)

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
    booking = add_booking(store, room, slot(start, end), by=student)
    before = state(store)

    with pytest.raises(InvalidTransition) as error:
        await change(student, booking.id, ChangeBookingCommand(title="Later"))

    assert error.value.message == "A booking that has started cannot be changed."
    assert state(store) == before


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.REJECTED])
async def test_an_inactive_booking_cannot_be_changed(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room, status: BookingStatus
) -> None:
    booking = add_booking(store, room, slot(2, 3), by=student, status=status)
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
    booking = add_booking(store, room, slot(2, 3), by=student)
    before = state(store)

    with pytest.raises((InvalidValue, RulesBroken)) as error:
        await change(student, booking.id, command)

    if isinstance(error.value, RulesBroken):  # a rule: 422 with its code, naming the field
        [violation] = error.value.violations
        assert violation.field == field
    else:  # malformed: 400
        assert field == "title"
        assert error.value.field == field
    assert state(store) == before


async def test_a_student_moving_an_approved_booking_in_an_approval_room_asks_again(
    change: ChangeBooking,
    store: MemoryStore,
    student: User,
    staff: User,
    approval_room: Room,
) -> None:
    booking = add_booking(store, approval_room, slot(2, 3), by=student, decided_by=staff.id)

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
    booking = add_booking(store, approval_room, slot(2, 3), by=student, decided_by=staff.id)

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
    booking = add_booking(store, approval_room, slot(2, 3), by=student, decided_by=staff.id)

    await change(student, booking.id, move(2, 3))

    stored = store.bookings[booking.id]
    assert (stored.status, stored.decided_by) == (BookingStatus.APPROVED, staff.id)


async def test_a_student_moving_an_approved_booking_in_an_open_room_keeps_the_approval(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(2, 3), by=student)

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
    booking = add_booking(store, approval_room, slot(2, 3), by=student, decided_by=staff.id)

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
    booking = add_booking(store, room, slot(2, 3), by=student)
    add_booking(store, room, slot(4, 6), by=other_student)
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
    booking = add_booking(store, room, slot(1.5, 3.5), by=student)

    await change(student, booking.id, move(start, end))

    assert store.bookings[booking.id].slot == slot(start, end)
    assert store.commits == 1


async def test_when_the_write_refuses_a_move_the_clashing_times_are_looked_up_again(
    store: MemoryStore, clock: FixedClock, student: User, other_student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(1, 2), by=student)
    add_booking(store, room, slot(3, 4), by=other_student)
    before = state(store)
    raced = RacedUnitOfWorkFactory(store)

    with pytest.raises(SlotTaken) as error:
        await ChangeBooking(raced, clock, RULES)(student, booking.id, move(1, 3.5))

    assert error.value.conflicts == [times(3, 4)]
    assert raced.opened == [False, True]
    assert state(store) == before
