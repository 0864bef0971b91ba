"""CreateClosures: one closure per room, all or none, and what it does to bookings in its way."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID, uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.closures import CreateClosures, CreateClosuresCommand
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import (
    BookingInTheWay,
    BookingsInTheWay,
    InvalidValue,
    NotFound,
    RulesBroken,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.doubles import blind_writers
from tests.unit.application.store_state import state
from tests.unit.builders import NOW, add_booking, add_room, at, period, slot

PENDING, APPROVED = BookingStatus.PENDING, BookingStatus.APPROVED


def closing(
    rooms: Sequence[Room | UUID],
    start: float,
    end: float,
    *,
    reason: str = "Renovation",
    cancel: bool = False,
) -> CreateClosuresCommand:
    """Closes `rooms` from `start` to `end` hours after NOW."""
    return CreateClosuresCommand(
        room_ids=[room.id if isinstance(room, Room) else room for room in rooms],
        starts_at=at(start),
        ends_at=at(end),
        reason=reason,
        cancel_conflicting=cancel,
    )


async def test_one_closure_per_room_in_the_order_named(
    close: CreateClosures, store: MemoryStore, staff: User, room: Room
) -> None:
    other = add_room(store, "Elm")

    closures = await close(staff, closing([other, room], 2, 24 * 7, reason=" Renovation "))

    assert [closure.room_id for closure in closures] == [other.id, room.id]
    for closure in closures:
        stored = store.closures[closure.id]
        assert (stored.period, stored.reason) == (period(2, 24 * 7), "Renovation")
        assert (stored.created_by, stored.created_at) == (staff.id, NOW)
    assert store.commits == 1


async def test_a_room_named_twice_is_closed_once(
    close: CreateClosures, store: MemoryStore, staff: User, room: Room
) -> None:
    closures = await close(staff, closing([room, room], 2, 3))

    assert len(closures) == len(store.closures) == 1


async def test_bookings_in_the_way_are_a_conflict_that_lists_them_and_writes_nothing(
    close: CreateClosures, store: MemoryStore, staff: User, student: User, room: Room
) -> None:
    other = add_room(store, "Elm")
    late = add_booking(store, room, slot(30, 31), by=student)
    early = add_booking(store, other, slot(5, 6), by=student, status=PENDING)
    add_booking(store, room, slot(1, 2), by=student)  # ends as the closure starts
    add_booking(store, room, slot(10, 11), by=student, status=BookingStatus.CANCELLED)
    add_booking(store, add_room(store, "Ash"), slot(10, 11), by=student)  # not closed
    before = state(store)

    with pytest.raises(BookingsInTheWay) as error:
        await close(staff, closing([room, other], 2, 48))

    assert error.value.bookings == [
        BookingInTheWay(early.id, other.id, at(5), at(6)),
        BookingInTheWay(late.id, room.id, at(30), at(31)),
    ]
    assert state(store) == before


async def test_cancel_conflicting_cancels_them_with_the_closures_reason_in_one_commit(
    close: CreateClosures, store: MemoryStore, staff: User, student: User, room: Room
) -> None:
    booked = add_booking(store, room, slot(5, 6), by=student, status=PENDING)
    spared = add_booking(store, room, slot(48, 49), by=student)

    (closure,) = await close(staff, closing([room], 2, 48, reason="Burst pipe", cancel=True))

    cancelled = store.bookings[booked.id]
    assert cancelled.status is BookingStatus.CANCELLED
    assert (cancelled.decided_by, cancelled.decided_at) == (staff.id, NOW)
    assert cancelled.decision_reason == "Burst pipe"
    assert store.bookings[spared.id].status is APPROVED
    assert closure.id in store.closures
    assert store.commits == 1
    entries = {(entry.entity, entry.entity_id): entry for entry in store.audit}
    cancellation = entries[(Entity.BOOKING, booked.id)]
    assert (cancellation.action, cancellation.actor_id) == (Action.CANCELLED, staff.id)
    assert cancellation.after is not None
    assert cancellation.after["decision_reason"] == "Burst pipe"
    assert entries[(Entity.CLOSURE, closure.id)].action is Action.CREATED


async def test_an_unknown_room_closes_none_of_them(
    close: CreateClosures, store: MemoryStore, staff: User, room: Room
) -> None:
    before = state(store)
    unknown = uuid4()

    with pytest.raises(NotFound) as error:
        await close(staff, closing([room, unknown], 2, 3))

    assert str(unknown) in error.value.message
    assert state(store) == before


async def test_a_closure_that_has_ended_breaks_a_rule(
    close: CreateClosures, store: MemoryStore, staff: User, room: Room
) -> None:
    before = state(store)

    with pytest.raises(RulesBroken) as error:
        await close(staff, closing([room], -5, 0))

    assert [(v.code, v.field) for v in error.value.violations] == [("in_the_past", "ends_at")]
    assert state(store) == before


async def test_a_closure_under_way_may_start_in_the_past(
    close: CreateClosures, store: MemoryStore, staff: User, room: Room
) -> None:
    (closure,) = await close(staff, closing([room], -5, 0.5))

    assert closure.period == period(-5, 0.5)


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (CreateClosuresCommand([], at(1), at(2), "Exams"), "room_ids"),
        (CreateClosuresCommand([uuid4()], at(2), at(2), "Exams"), "ends_at"),
        (CreateClosuresCommand([uuid4()], at(1), at(2), "  "), "reason"),
        (CreateClosuresCommand([uuid4() for _ in range(101)], at(1), at(2), "Exams"), "room_ids"),
    ],
)
async def test_malformed_commands_name_the_field(
    close: CreateClosures,
    store: MemoryStore,
    staff: User,
    command: CreateClosuresCommand,
    field: str,
) -> None:
    with pytest.raises(InvalidValue) as error:
        await close(staff, command)

    assert error.value.field == field
    assert store.commits == 0


async def test_bookings_the_check_missed_are_refused_by_the_store_and_then_listed(
    store: MemoryStore, clock: FixedClock, staff: User, student: User, room: Room
) -> None:
    """The check finds nothing (a booking committed in between); the write is refused, and the
    bookings in the way are read afresh for the answer."""
    booked = add_booking(store, room, slot(5, 6), by=student)
    blind = CreateClosures(blind_writers(lambda **kw: MemoryUnitOfWork(store, **kw)), clock)

    with pytest.raises(BookingsInTheWay) as error:
        await blind(staff, closing([room], 2, 48, cancel=True))

    assert error.value.bookings == [BookingInTheWay(booked.id, room.id, at(5), at(6))]
    assert isinstance(error.value.__cause__, BookingsInTheWay)
    assert store.closures == {}
