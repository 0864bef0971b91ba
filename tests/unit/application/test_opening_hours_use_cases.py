"""Opening hours through the use-cases, on the memory fakes: who may set them, what a
replacement reports and records, and bookings refused outside them in the room's zone."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import (
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
)
from campus_booking.application.opening_hours import (
    DateHours,
    GetOpeningHours,
    SetOpeningHours,
    SetOpeningHoursCommand,
    WeeklyHours,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidValue, NotFound, PermissionDenied, RulesBroken
from campus_booking.domain.opening_hours import OUTSIDE_OPENING_HOURS, OpeningHours
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.unit.application.booking_requests import RULES, book, move
from tests.unit.builders import add_booking, add_room, slot

# NOW is Tuesday 2030-01-01 08:00 UTC: 09:00 in Berlin.
EVERY_DAY_9_TO_17 = SetOpeningHoursCommand(
    weekly=[WeeklyHours(day, "09:00", "17:00") for day in range(1, 8)]
)


def set_hours(uow: UnitOfWorkFactory, clock: FixedClock) -> SetOpeningHours:
    return SetOpeningHours(uow, clock)


async def test_a_room_has_no_hours_until_they_are_set(uow: UnitOfWorkFactory, room: Room) -> None:
    hours = await GetOpeningHours(uow)(room.id)

    assert hours == OpeningHours(room.id)
    assert hours.always_open


async def test_hours_of_an_unknown_room_are_not_found(
    uow: UnitOfWorkFactory, clock: FixedClock, staff: User
) -> None:
    with pytest.raises(NotFound):
        await GetOpeningHours(uow)(uuid4())
    with pytest.raises(NotFound):
        await set_hours(uow, clock)(staff, uuid4(), EVERY_DAY_9_TO_17)


async def test_a_student_may_not_set_hours_and_nothing_is_written(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    with pytest.raises(PermissionDenied):
        await set_hours(uow, clock)(student, room.id, EVERY_DAY_9_TO_17)

    assert store.opening_hours == {}


async def test_staff_replace_the_hours_whole_and_the_trail_keeps_the_change(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User, room: Room
) -> None:
    await set_hours(uow, clock)(staff, room.id, EVERY_DAY_9_TO_17)
    command = SetOpeningHoursCommand(
        weekly=[WeeklyHours(1, "08:00", "12:00"), WeeklyHours(1, "13:00", "20:00")],
        exceptions=[DateHours(date(2030, 12, 25))],
    )

    result = await set_hours(uow, clock)(staff, room.id, command)

    stored = await GetOpeningHours(uow)(room.id)
    assert stored == result.hours
    assert [str(w.window) for w in stored.weekly] == ["08:00-12:00", "13:00-20:00"]
    assert stored.windows_on(date(2030, 12, 25)) == ()
    room_changes = [e for e in store.audit if e.entity is Entity.ROOM]
    assert [(e.action, e.actor_id, e.entity_id) for e in room_changes] == [
        (Action.CHANGED, staff.id, room.id)
    ] * 2
    assert room_changes[-1].after == {
        "opening_hours": ["1 08:00-12:00", "1 13:00-20:00"],
        "opening_exceptions": ["2030-12-25 closed"],
    }


async def test_the_same_hours_again_record_nothing(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User, room: Room
) -> None:
    await set_hours(uow, clock)(staff, room.id, EVERY_DAY_9_TO_17)
    await set_hours(uow, clock)(staff, room.id, EVERY_DAY_9_TO_17)

    assert len([e for e in store.audit if e.entity is Entity.ROOM]) == 1


async def test_a_malformed_window_names_its_field_and_nothing_is_written(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User, room: Room
) -> None:
    command = SetOpeningHoursCommand(
        weekly=[WeeklyHours(1, "08:00", "12:00"), WeeklyHours(1, "11:00", "10:00")]
    )

    with pytest.raises(InvalidValue) as refused:
        await set_hours(uow, clock)(staff, room.id, command)

    assert refused.value.field == "weekly[1].closes"
    assert store.opening_hours == {}


async def test_the_answer_counts_upcoming_active_bookings_left_outside(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, staff: User, room: Room
) -> None:
    add_booking(store, room, slot(2, 3))  # 10:00-11:00 UTC: inside 09:00-17:00
    add_booking(store, room, slot(12, 13))  # 20:00 UTC: outside
    add_booking(store, room, slot(-2, -1))  # over: not counted
    add_booking(store, room, slot(14, 15), status=BookingStatus.CANCELLED)  # not active

    result = await set_hours(uow, clock)(staff, room.id, EVERY_DAY_9_TO_17)

    assert result.bookings_outside == 1
    assert len(store.bookings) == 4  # the bookings themselves are left alone


# --- bookings ---------------------------------------------------------------------------


@pytest.fixture
def berlin_room(store: MemoryStore) -> Room:
    return add_room(store, "Linden", time_zone="Europe/Berlin")


async def test_a_booking_outside_the_hours_is_refused_with_its_reason_code(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    staff: User,
    student: User,
    berlin_room: Room,
) -> None:
    await set_hours(uow, clock)(staff, berlin_room.id, EVERY_DAY_9_TO_17)
    create = CreateBooking(uow, clock, RULES)

    inside = await create(student, book(berlin_room, 0, 2))  # 09:00-11:00 in Berlin
    with pytest.raises(RulesBroken) as late:
        await create(student, book(berlin_room, 7, 9))  # 16:00-18:00 in Berlin
    with pytest.raises(RulesBroken) as early:
        await create(student, book(berlin_room, -0.5 + 24, 25))  # 08:30-10:00 next day

    assert inside.id in store.bookings
    assert [(v.code, v.field) for v in late.value.violations] == [
        (OUTSIDE_OPENING_HOURS, "ends_at")
    ]
    assert [(v.code, v.field) for v in early.value.violations] == [
        (OUTSIDE_OPENING_HOURS, "starts_at")
    ]
    assert len(store.bookings) == 1


async def test_hours_are_evaluated_in_the_rooms_zone(
    uow: UnitOfWorkFactory, clock: FixedClock, staff: User, student: User, room: Room
) -> None:
    """`room` keeps UTC: 08:00-09:00 UTC is before its 09:00 opening."""
    await set_hours(uow, clock)(staff, room.id, EVERY_DAY_9_TO_17)

    with pytest.raises(RulesBroken):
        await CreateBooking(uow, clock, RULES)(student, book(room, 0.5, 1))
    assert await CreateBooking(uow, clock, RULES)(student, book(room, 1, 2))


async def test_outside_opening_hours_comes_with_every_other_broken_rule(
    uow: UnitOfWorkFactory, clock: FixedClock, staff: User, student: User, berlin_room: Room
) -> None:
    await set_hours(uow, clock)(staff, berlin_room.id, EVERY_DAY_9_TO_17)
    far = 24 * 400  # past the booking horizon; +7 to +9 is 16:00-18:00 in Berlin, past 17:00

    with pytest.raises(RulesBroken) as refused:
        await CreateBooking(uow, clock, RULES)(student, book(berlin_room, far + 7, far + 9))

    assert {v.code for v in refused.value.violations} == {"too_far_ahead", OUTSIDE_OPENING_HOURS}


async def test_a_move_out_of_the_hours_is_refused_but_other_edits_are_not(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    staff: User,
    student: User,
    berlin_room: Room,
) -> None:
    booking = add_booking(store, berlin_room, slot(12, 13), by=student)  # 21:00 in Berlin
    await set_hours(uow, clock)(staff, berlin_room.id, EVERY_DAY_9_TO_17)
    change = ChangeBooking(uow, clock, RULES)

    with pytest.raises(RulesBroken) as refused:
        await change(student, booking.id, move(11, 13))
    renamed = await change(student, booking.id, ChangeBookingCommand(title="Kept"))
    moved_in = await change(student, booking.id, move(2, 3))

    assert [v.code for v in refused.value.violations] == [OUTSIDE_OPENING_HOURS]
    assert renamed.title == "Kept"
    assert moved_in.slot == slot(2, 3)


async def test_a_date_exception_closes_the_room_for_that_day(
    uow: UnitOfWorkFactory, clock: FixedClock, staff: User, student: User, room: Room
) -> None:
    command = SetOpeningHoursCommand(exceptions=[DateHours(date(2030, 1, 2))])
    await set_hours(uow, clock)(staff, room.id, command)
    create = CreateBooking(uow, clock, RULES)

    assert await create(student, book(room, 1, 2))  # today: no weekly windows, open
    with pytest.raises(RulesBroken):
        await create(student, book(room, 24 + 1, 24 + 2))  # tomorrow: closed all day
    assert await create(student, book(room, 48 + 1, 48 + 2))
