"""Bookings meet closures: refused into one, with its times and reason; free once it is gone."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.bookings import ChangeBooking, CreateBooking
from campus_booking.application.closures import (
    DeleteClosure,
    GetClosure,
    ListClosures,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import ClosureFilter, PageRequest
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.errors import NotFound, PermissionDenied, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.doubles import blind_writers
from tests.unit.application.booking_requests import RULES, book, move
from tests.unit.application.store_state import state
from tests.unit.builders import add_booking, add_closure, add_room, at, period, slot, times


@pytest.fixture
def create(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateBooking:
    return CreateBooking(uow, clock, RULES)


@pytest.fixture
def change(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeBooking:
    return ChangeBooking(uow, clock, RULES)


async def test_a_booking_into_a_closure_is_refused_with_its_times_and_reason(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    add_closure(store, room, period(3, 24 * 30), reason="Renovation")
    add_booking(store, room, slot(1, 3), by=other_student)
    before = state(store)

    with pytest.raises(SlotTaken) as error:
        await create(student, book(room, 2, 4))

    assert error.value.conflicts == [times(1, 3)]
    assert error.value.closures == [(at(3), at(24 * 30), "Renovation")]
    assert state(store) == before


async def test_a_closure_of_another_room_or_one_touching_the_slot_is_no_obstacle(
    create: CreateBooking, store: MemoryStore, student: User, room: Room
) -> None:
    add_closure(store, add_room(store, "Elm"), period(0, 48))
    add_closure(store, room, period(0, 2))
    add_closure(store, room, period(4, 48))

    booking = await create(student, book(room, 2, 4))

    assert booking.id in store.bookings


async def test_moving_a_booking_into_a_closure_is_refused(
    change: ChangeBooking, store: MemoryStore, student: User, room: Room
) -> None:
    mine = add_booking(store, room, slot(1, 2), by=student)
    add_closure(store, room, period(10, 20), reason="Exams")
    before = state(store)

    with pytest.raises(SlotTaken) as error:
        await change(student, mine.id, move(9, 11))

    assert (error.value.conflicts, error.value.closures) == ([], [(at(10), at(20), "Exams")])
    assert "closed" in error.value.message
    assert state(store) == before


async def test_a_closure_the_check_missed_is_refused_by_the_store_and_then_named(
    store: MemoryStore, clock: FixedClock, student: User, room: Room
) -> None:
    add_closure(store, room, period(0, 24), reason="Exams")
    blind = CreateBooking(blind_writers(lambda **kw: MemoryUnitOfWork(store, **kw)), clock, RULES)

    with pytest.raises(SlotTaken) as error:
        await blind(student, book(room, 2, 3))

    assert error.value.closures == [(at(0), at(24), "Exams")]
    assert isinstance(error.value.__cause__, SlotTaken)
    assert store.bookings == {}


async def test_deleting_a_closure_frees_its_time_at_once_and_is_audited(
    create: CreateBooking,
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    staff: User,
    student: User,
    room: Room,
) -> None:
    closure = add_closure(store, room, period(0, 24))

    await DeleteClosure(uow, clock)(staff, closure.id)
    booking = await create(student, book(room, 2, 3))

    assert store.closures == {}
    assert booking.id in store.bookings
    (entry,) = [e for e in store.audit if e.entity is Entity.CLOSURE]
    assert (entry.action, entry.entity_id, entry.actor_id) == (
        Action.DELETED,
        closure.id,
        staff.id,
    )
    assert entry.before is not None
    assert entry.after is None


async def test_deleting_an_unknown_closure_is_not_found(
    uow: UnitOfWorkFactory, clock: FixedClock, staff: User, store: MemoryStore, room: Room
) -> None:
    closure = add_closure(store, room, period(0, 24))
    await DeleteClosure(uow, clock)(staff, closure.id)

    with pytest.raises(NotFound):
        await DeleteClosure(uow, clock)(staff, closure.id)


async def test_a_student_may_not_delete_a_closure(
    uow: UnitOfWorkFactory, clock: FixedClock, student: User, store: MemoryStore, room: Room
) -> None:
    closure = add_closure(store, room, period(0, 24))

    with pytest.raises(PermissionDenied):
        await DeleteClosure(uow, clock)(student, closure.id)

    assert closure.id in store.closures


async def test_closures_are_listed_by_start_filtered_by_room_and_window(
    uow: UnitOfWorkFactory, store: MemoryStore, room: Room
) -> None:
    elm = add_room(store, "Elm")
    late = add_closure(store, room, period(48, 72))
    early = add_closure(store, room, period(0, 10))
    add_closure(store, elm, period(5, 6))
    listing = ListClosures(uow)

    everything = await listing(ClosureFilter(), PageRequest())
    of_room = await listing(ClosureFilter(room_id=room.id), PageRequest(limit=1, offset=1))
    window = await listing(
        ClosureFilter(room_id=room.id, ends_after=at(10), starts_before=at(49)), PageRequest()
    )

    assert [c.period.start for c in everything.items] == [at(0), at(5), at(48)]
    assert ([c.id for c in of_room.items], of_room.total) == ([late.id], 2)
    assert [c.id for c in window.items] == [late.id]  # `early` ends as the window starts
    assert (await GetClosure(uow)(early.id)).reason == "Renovation"
