"""Campus-wide limits through the use-cases, on the memory fakes: how far ahead anyone may book,
how many upcoming bookings a student may hold, and a deactivated user's bookings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import ChangeBooking, CreateBooking, CreateBookingCommand
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.booking_rules import ACTIVE_BOOKINGS_LIMIT, TOO_FAR_AHEAD, BookingRules
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import AuthenticationFailed, RulesBroken
from campus_booking.domain.users import Role
from tests.unit.application.booking_requests import book, move
from tests.unit.application.store_state import state
from tests.unit.builders import NOW, add_booking, add_room, add_user, slot

RULES = BookingRules(
    max_duration=timedelta(hours=8), max_ahead=timedelta(days=365), max_active_per_student=3
)
YEAR = 365 * 24


@pytest.fixture
def create(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateBooking:
    return CreateBooking(uow, clock, RULES)


@pytest.fixture
def change(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeBooking:
    return ChangeBooking(uow, clock, RULES)


def codes(error: RulesBroken) -> list[str]:
    return [violation.code for violation in error.violations]


# --- how far ahead ------------------------------------------------------------------------


async def test_a_booking_ending_past_the_horizon_is_refused_and_nothing_is_written(
    store: MemoryStore, create: CreateBooking
) -> None:
    student, room = add_user(store), add_room(store)
    before = state(store)

    with pytest.raises(RulesBroken) as raised:
        await create(student, book(room, YEAR - 1, YEAR + 1))

    assert codes(raised.value) == [TOO_FAR_AHEAD]
    assert state(store) == before


async def test_the_year_9999_is_refused_as_too_far_ahead(
    store: MemoryStore, create: CreateBooking
) -> None:
    staff, room = add_user(store, Role.STAFF), add_room(store)
    command = CreateBookingCommand(
        room_id=room.id,
        starts_at=datetime(9999, 12, 31, 10, tzinfo=UTC),
        ends_at=datetime(9999, 12, 31, 12, tzinfo=UTC),
        title="Forever",
    )

    with pytest.raises(RulesBroken) as raised:
        await create(staff, command)
    assert codes(raised.value) == [TOO_FAR_AHEAD]


async def test_a_booking_ending_at_the_horizon_is_accepted(
    store: MemoryStore, create: CreateBooking
) -> None:
    student, room = add_user(store), add_room(store)

    booking = await create(student, book(room, YEAR - 2, YEAR))

    assert booking.slot.end == NOW + timedelta(days=365)


async def test_moving_a_booking_past_the_horizon_is_refused(
    store: MemoryStore, change: ChangeBooking
) -> None:
    student, room = add_user(store), add_room(store)
    booking = add_booking(store, room, slot(24, 26), by=student)
    before = state(store)

    with pytest.raises(RulesBroken) as raised:
        await change(student, booking.id, move(YEAR, YEAR + 2))

    assert codes(raised.value) == [TOO_FAR_AHEAD]
    assert state(store) == before


# --- a student's upcoming bookings -----------------------------------------------------


async def test_a_student_at_the_limit_is_refused_and_nothing_is_written(
    store: MemoryStore, create: CreateBooking
) -> None:
    student, room, other_room = add_user(store), add_room(store), add_room(store, "Elm")
    for hour in range(3):
        await create(student, book(room, 24 + hour, 25 + hour))
    before = state(store)

    with pytest.raises(RulesBroken) as raised:
        await create(student, book(other_room, 48, 49))

    [violation] = raised.value.violations
    assert violation.code == ACTIVE_BOOKINGS_LIMIT
    assert "at most 3 upcoming active bookings" in violation.message
    assert state(store) == before


async def test_every_broken_limit_is_listed(store: MemoryStore, create: CreateBooking) -> None:
    student, room = add_user(store), add_room(store)
    for hour in range(3):
        add_booking(
            store, room, slot(24 + hour, 25 + hour), by=student, status=BookingStatus.PENDING
        )

    with pytest.raises(RulesBroken) as raised:
        await create(student, book(room, YEAR + 10, YEAR + 11))

    assert codes(raised.value) == [TOO_FAR_AHEAD, ACTIVE_BOOKINGS_LIMIT]


async def test_ended_cancelled_rejected_and_others_bookings_do_not_count(
    store: MemoryStore, create: CreateBooking
) -> None:
    student, other, room = add_user(store), add_user(store), add_room(store)
    add_booking(store, room, slot(-3, -2), by=student)  # ended
    add_booking(store, room, slot(-1, 1), by=student)  # under way: ends after now, counts
    add_booking(store, room, slot(2, 3), by=student, status=BookingStatus.CANCELLED)
    add_booking(store, room, slot(4, 5), by=student, status=BookingStatus.REJECTED)
    add_booking(store, room, slot(6, 7), by=other)
    add_booking(store, room, slot(8, 9), by=student, status=BookingStatus.PENDING)

    await create(student, book(room, 10, 11))  # the third upcoming one

    with pytest.raises(RulesBroken):
        await create(student, book(room, 12, 13))


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_are_not_limited(
    store: MemoryStore, create: CreateBooking, role: Role
) -> None:
    actor, room = add_user(store, role), add_room(store)
    for hour in range(5):
        await create(actor, book(room, 24 + hour, 25 + hour))

    assert len(store.bookings) == 5


async def test_a_requester_deactivated_since_signing_in_cannot_book(
    store: MemoryStore, create: CreateBooking
) -> None:
    student, room = add_user(store), add_room(store)
    signed_in = student  # what the request loaded before the lock
    store.users[student.id].is_active = False
    before = state(store)

    with pytest.raises(AuthenticationFailed):
        await create(signed_in, book(room, 24, 25))
    assert state(store) == before
