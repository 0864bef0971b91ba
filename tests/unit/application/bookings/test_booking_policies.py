"""Booking through a room's policy, in memory: quotas over the policy's rooms, a change
counted at its new time, overrides by staff, and the check that books nothing."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import (
    ChangeBooking,
    ChangeBookingCommand,
    CheckBooking,
    CreateBooking,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import PermissionDenied, RulesBroken, SlotTaken
from campus_booking.domain.users import Role, User
from tests.unit.application.booking_requests import RULES, book, move
from tests.unit.application.store_state import state
from tests.unit.builders import add_booking, add_policy, add_room, add_user, slot


@pytest.fixture
def create(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateBooking:
    return CreateBooking(uow, clock, RULES)


@pytest.fixture
def change(uow: UnitOfWorkFactory, clock: FixedClock) -> ChangeBooking:
    return ChangeBooking(uow, clock, RULES)


@pytest.fixture
def check(uow: UnitOfWorkFactory, clock: FixedClock) -> CheckBooking:
    return CheckBooking(uow, clock, RULES)


def codes(error: RulesBroken) -> list[str]:
    return [violation.code for violation in error.violations]


async def test_the_daily_quota_counts_every_room_of_the_policy(
    create: CreateBooking, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store, max_minutes_per_day=120)
    first = add_room(store, "Study 1", policy_id=policy.id)
    second = add_room(store, "Study 2", policy_id=policy.id)
    elsewhere = add_room(store, "Library hall")  # campus defaults: not counted with them
    await create(student, book(first, 1, 2))
    await create(student, book(elsewhere, 3, 6))
    before = state(store)

    with pytest.raises(RulesBroken) as error:
        await create(student, book(second, 3, 4.5))

    [violation] = error.value.violations
    assert violation.code == "daily_quota"
    assert violation.details == {"limit": 120, "actual": 150, "date": "2030-01-01"}
    assert state(store) == before
    await create(student, book(second, 3, 4))  # exactly the quota


async def test_quotas_are_per_requester_and_count_only_active_bookings(
    create: CreateBooking, store: MemoryStore, student: User, other_student: User
) -> None:
    policy = add_policy(store, max_minutes_per_day=60, max_active_bookings=1)
    room = add_room(store, "Study", policy_id=policy.id)
    add_booking(store, room, slot(1, 2), by=other_student)
    add_booking(store, room, slot(3, 4), by=student, status=BookingStatus.CANCELLED)
    add_booking(store, room, slot(5, 6), by=student, status=BookingStatus.REJECTED)

    booking = await create(student, book(room, 7, 8))

    assert booking.status is BookingStatus.APPROVED


async def test_every_broken_rule_is_listed_at_once(
    create: CreateBooking, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store, max_duration_minutes=60, slot_minutes=30, max_active_bookings=1)
    room = add_room(store, "Study", policy_id=policy.id, capacity=2)
    add_booking(store, room, slot(10, 11), by=student)

    with pytest.raises(RulesBroken) as error:
        await create(student, book(room, 1.25, 3, attendees=3))

    assert codes(error.value) == [
        "over_capacity",
        "too_long",
        "off_grid",
        "active_bookings_limit",
    ]


async def test_a_policy_binds_staff_too(
    create: CreateBooking, store: MemoryStore, staff: User
) -> None:
    policy = add_policy(store, max_duration_minutes=60)
    room = add_room(store, "Study", policy_id=policy.id)

    with pytest.raises(RulesBroken) as error:
        await create(staff, book(room, 1, 3))

    assert codes(error.value) == ["too_long"]


async def test_a_change_counts_the_booking_at_its_new_time_not_twice(
    create: CreateBooking, change: ChangeBooking, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store, max_minutes_per_day=120, max_active_bookings=1)
    room = add_room(store, "Study", policy_id=policy.id)
    booking = await create(student, book(room, 1, 3))  # the whole day's quota

    moved = await change(student, booking.id, move(4, 6))

    assert moved.slot == slot(4, 6)
    with pytest.raises(RulesBroken) as error:
        await change(student, booking.id, move(4, 6.5))
    assert codes(error.value) == ["daily_quota"]


async def test_a_change_by_staff_counts_the_requesters_quota(
    change: ChangeBooking, store: MemoryStore, student: User, staff: User
) -> None:
    policy = add_policy(store, max_minutes_per_day=120)
    room = add_room(store, "Study", policy_id=policy.id)
    booking = add_booking(store, room, slot(1, 2), by=student)
    add_booking(store, room, slot(3, 4), by=student)

    with pytest.raises(RulesBroken) as error:
        await change(staff, booking.id, move(1, 2.5))

    assert codes(error.value) == ["daily_quota"]


async def test_staff_override_skips_the_policy_and_is_on_the_audit_entry(
    create: CreateBooking, store: MemoryStore, staff: User
) -> None:
    policy = add_policy(store, max_duration_minutes=60, min_notice_minutes=600)
    room = add_room(store, "Study", policy_id=policy.id)

    booking = await create(staff, book(room, 1, 3, override_policy=True))

    [entry] = [e for e in store.audit if e.entity is Entity.BOOKING]
    assert (entry.entity_id, entry.action) == (booking.id, Action.CREATED)
    assert entry.after is not None
    assert entry.after["override_policy"] is True


async def test_an_override_of_a_change_is_on_its_audit_entry(
    change: ChangeBooking, store: MemoryStore, staff: User, student: User
) -> None:
    policy = add_policy(store, max_duration_minutes=60)
    room = add_room(store, "Study", policy_id=policy.id)
    booking = add_booking(store, room, slot(1, 2), by=student)

    await change(
        staff, booking.id, ChangeBookingCommand(ends_at=slot(1, 4).end, override_policy=True)
    )

    [entry] = [e for e in store.audit if e.action is Action.CHANGED]
    assert entry.after == {"ends_at": slot(1, 4).end.isoformat(), "override_policy": True}


async def test_an_override_never_skips_the_rooms_own_rules_or_other_bookings(
    create: CreateBooking, store: MemoryStore, staff: User, student: User
) -> None:
    room = add_room(store, "Study", capacity=2)
    add_booking(store, room, slot(1, 2), by=student)

    with pytest.raises(RulesBroken) as error:
        await create(staff, book(room, -1, 12, attendees=3, override_policy=True))
    assert codes(error.value) == ["in_the_past", "over_capacity"]
    with pytest.raises(SlotTaken):
        await create(staff, book(room, 1, 12, override_policy=True))


async def test_a_student_asking_to_override_is_refused_and_nothing_is_written(
    create: CreateBooking, change: ChangeBooking, store: MemoryStore, student: User
) -> None:
    room = add_room(store, "Study")
    booking = add_booking(store, room, slot(1, 2), by=student)
    before = state(store)

    with pytest.raises(PermissionDenied):
        await create(student, book(room, 3, 4, override_policy=True))
    with pytest.raises(PermissionDenied):
        await change(student, booking.id, ChangeBookingCommand(title="X", override_policy=True))

    assert state(store) == before


async def test_the_check_answers_the_violations_and_conflicts_and_writes_nothing(
    check: CheckBooking, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store, max_duration_minutes=60)
    room = add_room(store, "Study", policy_id=policy.id)
    add_booking(store, room, slot(1, 2), by=add_user(store, Role.STAFF))
    before = state(store)

    answer = await check(student, book(room, 1.5, 3))
    fine = await check(student, book(room, 3, 4))

    assert not answer.bookable
    assert [v.code for v in answer.violations] == ["too_long"]
    assert answer.conflicts == [(slot(1, 2).start, slot(1, 2).end)]
    assert fine.bookable
    assert (fine.violations, fine.conflicts) == ([], [])
    assert state(store) == before


async def test_the_check_refuses_a_students_override(
    check: CheckBooking, store: MemoryStore, student: User
) -> None:
    room = add_room(store, "Study")

    with pytest.raises(PermissionDenied):
        await check(student, book(room, 1, 2, override_policy=True))
