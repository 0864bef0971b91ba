"""The audit trail of bookings: requests, changes, cancellations and decisions."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import (
    InvalidTransition,
    InvalidValue,
    NotFound,
    PermissionDenied,
    RulesBroken,
    SlotTaken,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.unit.application.audit.entries import LATER, entry, iso, snapshot, trail
from tests.unit.application.booking_requests import RULES, book
from tests.unit.application.fakes import BlindUnitOfWork
from tests.unit.builders import add_booking, add_room, at, slot


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

    booking = await CreateBooking(uow, clock, RULES)(
        student, book(target, 2, 3, title=" Exam  prep ", attendees=3)
    )

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
    add_booking(store, room, slot(2, 4), by=staff)
    create = CreateBooking(uow, clock, RULES)

    with pytest.raises(SlotTaken):
        await create(student, book(room, 3, 5, attendees=3))
    with pytest.raises(RulesBroken):
        await create(student, book(room, -1, 1, attendees=3))
    with pytest.raises(NotFound):
        await create(student, CreateBookingCommand(uuid4(), at(1), at(2), "X"))

    assert snapshot(store) == seeded


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
    add_booking(store, room, slot(2, 4), by=staff)

    with pytest.raises(SlotTaken) as error:
        await CreateBooking(blind_uow, clock, RULES)(student, book(room, 3, 5, attendees=3))

    assert error.value.conflicts == [(at(2), at(4))]
    assert snapshot(store) == seeded


async def test_changing_title_and_attendees_records_those_two_only(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(2, 3), by=student)
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
    booking = add_booking(store, room, slot(2, 3), by=student)

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
    booking = add_booking(store, approval_room, slot(2, 3), by=student, decided_by=staff.id)

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
    booking = add_booking(store, room, slot(2, 3), by=student)
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
    mine = add_booking(store, room, slot(2, 3), by=student)
    add_booking(store, room, slot(4, 5), by=staff)
    cancelled = add_booking(store, room, slot(6, 7), by=student, status=BookingStatus.CANCELLED)
    theirs = add_booking(store, room, slot(8, 9), by=staff)
    change = ChangeBooking(uow, clock, RULES)

    with pytest.raises(SlotTaken):
        await change(student, mine.id, ChangeBookingCommand(starts_at=at(3), ends_at=at(4.5)))
    with pytest.raises(InvalidTransition):
        await change(student, cancelled.id, ChangeBookingCommand(title="Back"))
    with pytest.raises(NotFound):
        await change(student, theirs.id, ChangeBookingCommand(title="Mine"))
    with pytest.raises(RulesBroken):
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
    mine = add_booking(store, room, slot(2, 3), by=student)
    add_booking(store, room, slot(4, 5), by=staff)

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
    booking = add_booking(store, room, slot(2, 3), by=student, status=status)

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
    booking = add_booking(store, room, slot(2, 3), by=student, status=status)

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
    booking = add_booking(
        store, approval_room, slot(2, 3), by=student, status=BookingStatus.PENDING
    )
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
    booking = add_booking(
        store, approval_room, slot(2, 3), by=student, status=BookingStatus.PENDING
    )

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
    booking = add_booking(
        store, approval_room, slot(2, 3), by=student, status=BookingStatus.PENDING
    )

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
    pending = add_booking(
        store, approval_room, slot(2, 3), by=student, status=BookingStatus.PENDING
    )
    approved = add_booking(store, approval_room, slot(4, 5), by=student)
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
