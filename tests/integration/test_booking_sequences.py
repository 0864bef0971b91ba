"""The same booking sequence run on the SQLAlchemy adapter gives the same outcomes as in memory.

The use-case tests run on the in-memory adapter; this test is what makes them count for the
database too. Hypothesis draws a short list of operations, which is replayed once against the
memory store and once against a real database, each with its own clock at the same instant.
Every step must answer the same (the booking's status, or the error and its clashing times),
and the bookings must end up the same. Their ids are random on each side, so bookings are
referred to, and compared, by the order in which they were created; approvals and rejections
pick among the bookings that a step left PENDING, so that they mostly meet a live request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.tables import (
    audit_log,
    bookings,
    room_features,
    rooms,
    users,
)
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
)
from campus_booking.application.ports import UnitOfWork
from campus_booking.application.queries import BookingFilter, PageRequest
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import MAX_REASON_LENGTH, Booking, BookingStatus
from campus_booking.domain.errors import DomainError, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User

UowFactory = Callable[..., UnitOfWork]

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
STEP = timedelta(minutes=15)
TITLE = "Study group"
# What an operation on a booking acts on while none has been created yet.
UNKNOWN_BOOKING = UUID("00000000-0000-0000-0000-00000000dead")
MAX_OPERATIONS = 15


def a_user(name: str, role: Role) -> User:
    return User(
        email=f"{name}@uni.edu",
        full_name=name.title(),
        password_hash="$2b$04$unused",
        created_at=EARLIER,
        role=role,
    )


USERS = (
    a_user("ana", Role.STUDENT),
    a_user("ben", Role.STUDENT),
    a_user("carla", Role.STAFF),
    a_user("dora", Role.ADMIN),
)
ROOMS = (
    Room(name="Seminar room 1", building="Main", capacity=10, created_at=EARLIER),
    Room(
        name="Lecture hall A",
        building="Main",
        capacity=40,
        created_at=EARLIER,
        features=frozenset({"projector", "whiteboard"}),
        requires_approval=True,
    ),
)
# Blank, ordinary, padded, and either side of the length limit once stripped (in characters
# that take two bytes, as a column counting bytes would refuse them).
REASONS = (
    "",
    "   ",
    "Exam week",
    "  Double-booked by mistake  ",
    " " + "é" * MAX_REASON_LENGTH + " ",
    "x" * (MAX_REASON_LENGTH + 1),
)


class Operation(NamedTuple):
    """One use-case call; `booking` picks among the bookings created so far, by index.

    An `actor` of `None` stands for the booking's own requester.
    """

    kind: str
    actor: int | None
    room: int
    booking: int
    start_step: int
    duration_steps: int
    attendees: int
    reason: str


# Half the operations create a booking, so that the others have something to act on.
kinds = st.just("create") | st.sampled_from(
    ("reschedule", "cancel", "approve", "reject", "time_passes")
)
DECISIONS = ("approve", "reject")
# Only staff and admins may approve and reject; tests/unit/application/test_permissions.py
# checks that everyone else is refused.
DECIDERS = tuple(index for index, user in enumerate(USERS) if user.role is not Role.STUDENT)


@st.composite
def operations(draw: st.DrawFn) -> Operation:
    kind = draw(kinds)
    anyone = st.integers(0, len(USERS) - 1)
    if kind in DECISIONS:
        actors = st.sampled_from(DECIDERS)
    elif kind == "create":
        actors = anyone
    else:  # half the time the requester, who may always see the booking
        actors = st.none() | anyone
    return Operation(
        kind=kind,
        actor=draw(actors),
        room=draw(st.integers(0, len(ROOMS) - 1)),
        booking=draw(st.integers(0, MAX_OPERATIONS - 1)),
        start_step=draw(st.integers(-1, 11)),  # from now, on a 15-minute grid; -1 is past
        duration_steps=draw(st.integers(1, 12)),  # 15 to 180 minutes
        attendees=draw(st.integers(1, 12)),
        reason=draw(st.sampled_from(REASONS)),
    )


# What a step answered: a booking's status, or an error with the times it clashed with.
Outcome = tuple[str, tuple[tuple[datetime, datetime], ...]]


class Replay(NamedTuple):
    outcomes: list[Outcome]
    bookings: list[tuple[Any, ...]]  # in creation order, the index standing in for the id
    total: int


class Replayer:
    """Runs operations through the use-cases on one unit-of-work factory."""

    def __init__(self, uow: UowFactory) -> None:
        self.uow = uow
        self.clock = FixedClock(NOW)
        self.create_booking = CreateBooking(uow, self.clock, BookingRules())
        self.change_booking = ChangeBooking(uow, self.clock, BookingRules())
        self.cancel_booking = CancelBooking(uow, self.clock)
        self.decide_booking = DecideBooking(uow, self.clock)
        self.created: list[UUID] = []
        self.requests: list[UUID] = []  # bookings left PENDING by a step: worth deciding
        self.requesters: dict[UUID, User] = {}

    async def replay(self, operations: Sequence[Operation]) -> Replay:
        outcomes = [await self.outcome_of(operation) for operation in operations]
        async with self.uow(read_only=True) as uow:
            stored = [await uow.bookings.get(booking_id) for booking_id in self.created]
            page = await uow.bookings.search(BookingFilter(), PageRequest(limit=MAX_OPERATIONS))
        return Replay(outcomes, [self.facts(booking) for booking in stored], page.total)

    async def outcome_of(self, operation: Operation) -> Outcome:
        try:
            booking = await self.perform(operation)
        except DomainError as error:
            conflicts = tuple(error.conflicts) if isinstance(error, SlotTaken) else ()
            return type(error).__name__, conflicts
        if booking is None:
            return "done", ()
        if booking.status is BookingStatus.PENDING and booking.id not in self.requests:
            self.requests.append(booking.id)
        return booking.status.value, ()

    async def perform(self, operation: Operation) -> Booking | None:
        start = self.clock.now() + operation.start_step * STEP
        end = start + operation.duration_steps * STEP
        if operation.kind in DECISIONS:
            booking_id = self.pick(self.requests or self.created, operation.booking)
        else:
            booking_id = self.pick(self.created, operation.booking)
        actor = self.acting_user(operation.actor, booking_id)
        match operation.kind:
            case "create":
                room = ROOMS[operation.room]
                command = CreateBookingCommand(room.id, start, end, TITLE, operation.attendees)
                booking = await self.create_booking(actor, command)
                self.created.append(booking.id)
                self.requesters[booking.id] = actor
                return booking
            case "reschedule":
                change = ChangeBookingCommand(starts_at=start, ends_at=end)
                return await self.change_booking(actor, booking_id, change)
            case "cancel":
                return await self.cancel_booking(actor, booking_id)
            case "approve":
                return await self.decide_booking.approve(actor, booking_id, operation.reason)
            case "reject":
                return await self.decide_booking.reject(actor, booking_id, operation.reason)
            case "time_passes":
                self.clock.advance(STEP)
                return None
        raise AssertionError(f"unknown operation {operation.kind!r}")

    def acting_user(self, actor: int | None, booking_id: UUID) -> User:
        if actor is None:  # the requester; for an unknown booking, anybody
            return self.requesters.get(booking_id, USERS[0])
        return USERS[actor]

    @staticmethod
    def pick(booking_ids: list[UUID], index: int) -> UUID:
        return booking_ids[index % len(booking_ids)] if booking_ids else UNKNOWN_BOOKING

    def facts(self, booking: Booking | None) -> tuple[Any, ...]:
        assert booking is not None, "a created booking is missing"
        return (
            self.created.index(booking.id),
            booking.room_id,
            booking.requester_id,
            booking.slot.start,
            booking.slot.end,
            booking.title,
            booking.attendees,
            booking.status,
            booking.decided_by,
            booking.decided_at,
            booking.decision_reason,
            booking.created_at,
        )


async def seed(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for user in USERS:
            await uow.users.add(user)
        for room in ROOMS:
            await uow.rooms.add(room)
        await uow.commit()


async def replay_in_memory(operations: Sequence[Operation]) -> Replay:
    store = MemoryStore()

    def uow_factory(**options: Any) -> MemoryUnitOfWork:
        return MemoryUnitOfWork(store, **options)

    await seed(uow_factory)
    return await Replayer(uow_factory).replay(operations)


async def replay_in_database(database_url: str, operations: Sequence[Operation]) -> Replay:
    engine = create_engine(database_url)

    def uow_factory(**options: Any) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(engine, **options)

    try:
        async with engine.begin() as connection:  # the previous example's rows
            for table in (audit_log, bookings, room_features, rooms, users):
                await connection.execute(delete(table))
        await seed(uow_factory)
        return await Replayer(uow_factory).replay(operations)
    finally:
        await engine.dispose()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operations(), min_size=5, max_size=MAX_OPERATIONS))
def test_the_database_answers_every_sequence_as_the_memory_store_does(
    database_url: str, operations: list[Operation]
) -> None:
    in_memory = asyncio.run(replay_in_memory(operations))
    in_database = asyncio.run(replay_in_database(database_url, operations))

    assert in_database.outcomes == in_memory.outcomes
    assert in_database.bookings == in_memory.bookings
    assert in_database.total == in_memory.total == len(in_memory.bookings)
