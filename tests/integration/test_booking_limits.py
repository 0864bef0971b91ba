"""A student's limit of upcoming bookings holds under concurrency, on each database, and the
repository counts and lists a requester's upcoming active bookings as the memory fake does."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Self

from sqlalchemy.dialects import postgresql

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.database.repositories.users import USER_BY_ID_LOCKED
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.bookings import CreateBooking, CreateBookingCommand
from campus_booking.domain.booking_rules import ACTIVE_BOOKINGS_LIMIT, BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import RulesBroken
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)
RULES = BookingRules(max_active_per_student=2)

UowFactory = Callable[..., SqlAlchemyUnitOfWork]


class CountsSlowly(SqlAlchemyUnitOfWork):
    """Lingers after counting, so that an unguarded second booking would count in between."""

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        count = self.bookings.overlapping_and_count_of_requester

        async def slow(*args: Any) -> tuple[list[Booking], int]:
            counted = await count(*args)
            await asyncio.sleep(0.3)
            return counted

        self.bookings.overlapping_and_count_of_requester = slow  # type: ignore[method-assign]
        return self


async def seed(uow_factory: UowFactory, rooms: int) -> tuple[list[Room], User]:
    made = [
        Room.create(name=f"Room {n}", building="Main", capacity=9, now=NOW, by=None)
        for n in range(rooms)
    ]
    user = User.register(
        email="stu@uni.example", full_name="Stu", password_hash="x", now=NOW, self_service=True
    )
    async with uow_factory() as uow:
        await uow.users.add(user)
        for room in made:
            await uow.rooms.add(room)
        await uow.commit()
    return made, user


def command(room: Room, hours: int) -> CreateBookingCommand:
    start = NOW + timedelta(hours=hours)
    return CreateBookingCommand(
        room_id=room.id, starts_at=start, ends_at=start + timedelta(hours=1), title="Study"
    )


async def test_two_bookings_at_once_in_different_rooms_cannot_both_pass_the_limit(
    uow_factory: UowFactory,
) -> None:
    (first, second, third), student = await seed(uow_factory, 3)
    engine = uow_factory()._engine
    create = CreateBooking(
        lambda **options: CountsSlowly(engine, **options), FixedClock(NOW), RULES
    )
    await create(student, command(third, 24))  # one held: one more is allowed

    results = await asyncio.gather(
        create(student, command(first, 25)),
        create(student, command(second, 26)),
        return_exceptions=True,
    )

    made = [result for result in results if isinstance(result, Booking)]
    refused = [result for result in results if isinstance(result, RulesBroken)]
    assert len(made) == 1, results
    assert len(refused) == 1, results
    assert [v.code for v in refused[0].violations] == [ACTIVE_BOOKINGS_LIMIT]
    async with uow_factory(read_only=True) as uow:
        assert await uow.bookings.count_active_of_requester(student.id, NOW) == 2


async def test_a_requesters_upcoming_active_bookings_are_counted_and_listed(
    uow_factory: UowFactory,
) -> None:
    (room,), student = await seed(uow_factory, 1)
    other = User.register(
        email="oth@uni.example", full_name="Oth", password_hash="x", now=NOW, self_service=True
    )

    def booking(owner: User, start: int, status: BookingStatus) -> Booking:
        slot = TimeSlot(NOW + timedelta(hours=start), NOW + timedelta(hours=start + 1))
        made = Booking.request(
            room_id=room.id,
            requester_id=owner.id,
            slot=slot,
            title="Study",
            attendees=1,
            needs_approval=status is BookingStatus.PENDING,
            now=NOW - timedelta(days=1),
        )
        made.status = status
        return made

    wanted = [
        booking(student, 0, BookingStatus.APPROVED),  # ends 09:00: after 08:30
        booking(student, 5, BookingStatus.PENDING),
        booking(student, 3, BookingStatus.APPROVED),
    ]
    unwanted = [
        booking(student, -2, BookingStatus.APPROVED),  # ended
        booking(student, 7, BookingStatus.CANCELLED),
        booking(student, 9, BookingStatus.REJECTED),
        booking(other, 11, BookingStatus.APPROVED),
    ]
    async with uow_factory() as uow:
        await uow.users.add(other)
        for made in wanted + unwanted:
            await uow.bookings.add(made)
        await uow.commit()

    instant = NOW + timedelta(minutes=30)
    async with uow_factory() as uow:
        assert await uow.bookings.count_active_of_requester(student.id, instant) == 3
        listed = await uow.bookings.active_of_requester(student.id, instant)
        clashing = await uow.bookings.overlapping_and_count_of_requester(
            room.id,
            TimeSlot(NOW + timedelta(hours=3), NOW + timedelta(hours=12)),
            student.id,
            instant,
        )
        free = await uow.bookings.overlapping_and_count_of_requester(
            room.id,
            TimeSlot(NOW + timedelta(hours=20), NOW + timedelta(hours=21)),
            other.id,
            instant,
        )
        window = (NOW + timedelta(hours=2), NOW + timedelta(hours=6))
        in_window = await uow.bookings.usage_of_requester(student.id, None, window, instant)
        count_alone = await uow.bookings.usage_of_requester(student.id, None, None, instant)
        locked = await uow.users.get(student.id, lock=True)
    assert [b.id for b in listed] == [b.id for b in sorted(wanted, key=lambda b: b.slot.start)]
    # The active ones from 03:00 to 12:00, earliest first, with the student's count; nothing
    # overlaps the evening, and the count comes alone.
    assert [b.id for b in clashing[0]] == [wanted[2].id, wanted[1].id, unwanted[3].id]
    assert clashing[1] == 3
    assert free == ([], 1)
    # Quota usage: the slots within the window with the count, or without a window the count
    # alone (a policy without minute quotas needs no slot).
    assert list(in_window.slots) == [wanted[2].slot, wanted[1].slot]
    assert in_window.upcoming == count_alone.upcoming == 3
    assert list(count_alone.slots) == []
    assert locked is not None
    assert locked.email == "stu@uni.example"


def test_the_requesters_row_is_locked_for_no_key_update_on_postgresql() -> None:
    """Foreign keys to the user (their bookings, audit entries) take KEY SHARE: never blocked."""
    rendered = str(USER_BY_ID_LOCKED.compile(dialect=postgresql.dialect()))

    assert rendered.rstrip().endswith("FOR NO KEY UPDATE")
