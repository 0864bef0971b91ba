"""Idempotency keys through the memory fakes: a keyed write records its answer with its
change, a repeat replays it and changes nothing, another request under the key is refused, a
twin while the first runs is refused at once, and keys expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import CancelBooking, CreateBooking
from campus_booking.application.idempotency import (
    KEY_FIELD,
    KEY_REUSED,
    LIFETIME,
    AlreadyAnswered,
    Answer,
    IdempotencyKey,
    KeyInUse,
    check_key,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import InvalidValue, RulesBroken, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.unit.application.booking_requests import RULES, book
from tests.unit.application.store_state import state
from tests.unit.builders import add_booking, slot


def key_for(fingerprint: str = "request-1", key: str = "retry-1") -> IdempotencyKey[Booking]:
    """Answers a booking with its id, as a route would answer it with its body."""
    return IdempotencyKey(key, fingerprint, lambda booking: Answer(201, booking.id.bytes))


@pytest.fixture
def create_booking(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateBooking:
    return CreateBooking(uow, clock, RULES)


async def test_a_keyed_booking_records_its_answer_with_the_booking(
    create_booking: CreateBooking, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    booking = await create_booking(student, book(room, 1, 2), key_for())

    (record,) = store.idempotency_keys.values()
    assert record.user_id == student.id
    assert record.answer == Answer(201, booking.id.bytes)
    assert record.expires_at == clock.now() + timedelta(hours=24)
    assert list(store.bookings) == [booking.id]


async def test_a_repeat_replays_the_first_answer_and_changes_nothing(
    create_booking: CreateBooking, store: MemoryStore, student: User, room: Room
) -> None:
    booking = await create_booking(student, book(room, 1, 2), key_for())
    before = state(store)

    with pytest.raises(AlreadyAnswered) as replayed:
        await create_booking(student, book(room, 1, 2), key_for())

    assert replayed.value.answer == Answer(201, booking.id.bytes)
    assert state(store) == before


async def test_another_request_under_the_key_is_refused(
    create_booking: CreateBooking, store: MemoryStore, student: User, room: Room
) -> None:
    await create_booking(student, book(room, 1, 2), key_for("request-1"))
    before = state(store)

    with pytest.raises(RulesBroken) as refused:
        await create_booking(student, book(room, 3, 4), key_for("request-2"))

    assert [(v.code, v.field) for v in refused.value.violations] == [(KEY_REUSED, KEY_FIELD)]
    assert state(store) == before


async def test_a_twin_while_the_first_runs_is_refused_at_once(
    create_booking: CreateBooking,
    uow: UnitOfWorkFactory,
    store: MemoryStore,
    student: User,
    room: Room,
) -> None:
    async with uow() as first:
        await first.idempotency_keys.hold(student.id, "retry-1")

        with pytest.raises(KeyInUse) as running:
            await create_booking(student, book(room, 1, 2), key_for())

    assert running.value.retry_after == 1
    assert store.bookings == {}
    await create_booking(student, book(room, 1, 2), key_for())  # let go with the first
    assert len(store.bookings) == 1


async def test_a_refused_write_remembers_nothing(
    create_booking: CreateBooking,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    add_booking(store, room, slot(1, 2), by=other_student)

    with pytest.raises(SlotTaken):
        await create_booking(student, book(room, 1, 2), key_for())

    assert store.idempotency_keys == {}
    assert store.held_keys == set()


async def test_a_key_expires_and_the_request_runs_again(
    create_booking: CreateBooking, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    await create_booking(student, book(room, 1, 2), key_for("request-1"))
    clock.set(clock.now() + LIFETIME)

    again = await create_booking(student, book(room, 30, 31), key_for("request-2"))

    (record,) = store.idempotency_keys.values()
    assert record.answer == Answer(201, again.id.bytes)
    assert len(store.bookings) == 2


async def test_keys_of_two_users_never_meet(
    create_booking: CreateBooking,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    await create_booking(student, book(room, 1, 2), key_for("request-1"))

    theirs = await create_booking(other_student, book(room, 3, 4), key_for("request-2"))

    assert theirs.requester_id == other_student.id
    assert len(store.idempotency_keys) == 2


async def test_a_keyed_cancel_replays_instead_of_refusing_the_second_time(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, student: User, room: Room
) -> None:
    booking = add_booking(store, room, slot(1, 2), by=student)
    cancel = CancelBooking(uow, clock)
    cancelled = await cancel(student, booking.id, key_for())

    with pytest.raises(AlreadyAnswered):
        await cancel(student, booking.id, key_for())

    assert cancelled.status is BookingStatus.CANCELLED


@pytest.mark.parametrize("key", ["", "with space", "tab\t", "é", "k" * 256, "\x7f"])
def test_a_key_is_1_to_255_visible_ascii_characters(key: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_key(key)

    assert refused.value.field == KEY_FIELD


@pytest.mark.parametrize("key", ["a", "!" + "~" * 254, "8e0f1c2a-9b1d-4c4e-a6e1-4b2f7f1c9d10"])
def test_visible_ascii_keys_up_to_255_are_taken(key: str) -> None:
    check_key(key)
