"""The booking use-cases driven by Hypothesis through long random sequences, in memory.

Before each step the machine works out, by brute force over the committed store, what the
use-case must answer: the booking exactly as it must be afterwards, or the domain error (for a
taken slot, with the clashing times). After the step it checks the answer, that a success wrote
that one booking and nothing else, and that a refusal wrote nothing at all.

Slots lie on a 15-minute grid over the next few hours, so they overlap often, and the clock
moves on now and then, so time rules (no booking in the past, no change once started) come
into play too.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple
from uuid import UUID

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    multiple,
    precondition,
    rule,
)

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
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import MAX_REASON_LENGTH, Booking, BookingStatus
from campus_booking.domain.errors import (
    DomainError,
    InvalidTransition,
    InvalidValue,
    NotFound,
    RulesBroken,
    SlotTaken,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
STEP = timedelta(minutes=15)
LATEST_CLOCK = NOW + 8 * STEP  # time moves two hours at most: new bookings still meet old ones
TITLE = "Study group"

PENDING = BookingStatus.PENDING
APPROVED = BookingStatus.APPROVED
REJECTED = BookingStatus.REJECTED
CANCELLED = BookingStatus.CANCELLED


def a_user(name: str, role: Role) -> User:
    return User(
        email=f"{name}@uni.edu",
        full_name=name.title(),
        password_hash="$2b$04$unused",
        created_at=EARLIER,
        role=role,
    )


ANA = a_user("ana", Role.STUDENT)
BEN = a_user("ben", Role.STUDENT)
CARLA = a_user("carla", Role.STAFF)
DORA = a_user("dora", Role.ADMIN)
USERS = {"ana": ANA, "ben": BEN, "carla": CARLA, "dora": DORA}
# Rules draw names, which read well in a failing example, and look the users up.
anyone = st.sampled_from(sorted(USERS))
students = st.sampled_from(["ana", "ben"])
# Only staff and admins may approve and reject; tests/unit/application/test_permissions.py
# checks that everyone else is refused.
deciders = st.sampled_from(["carla", "dora"])
# Half the time `None`: the booking's own requester acts, who may always see it.
anyone_or_requester = st.none() | anyone

SEMINAR_ROOM = Room(name="Seminar room 1", building="Main", capacity=10, created_at=EARLIER)
LECTURE_HALL = Room(
    name="Lecture hall A", building="Main", capacity=40, created_at=EARLIER, requires_approval=True
)
ROOMS = {"seminar room": SEMINAR_ROOM, "lecture hall": LECTURE_HALL}
ROOMS_BY_ID = {room.id: room for room in ROOMS.values()}

# Blank, ordinary, padded, and either side of the length limit once stripped.
REASONS = (
    "",
    "   ",
    "Exam week",
    "  Double-booked by mistake  ",
    " " + "x" * MAX_REASON_LENGTH + " ",
    "x" * (MAX_REASON_LENGTH + 1),
)


# A slot on the grid: how many steps from now it starts (-1 is in the past), how many it lasts.
start_steps = st.integers(-1, 23)
duration_steps = st.integers(1, 12)  # 15 to 180 minutes


class Facts(NamedTuple):
    """Everything about a booking but its id, which a test cannot know before it exists."""

    room_id: UUID
    requester_id: UUID
    slot: TimeSlot
    title: str
    attendees: int
    status: BookingStatus
    created_at: datetime
    decided_by: UUID | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None

    @classmethod
    def of(cls, booking: Booking) -> Facts:
        return cls(
            room_id=booking.room_id,
            requester_id=booking.requester_id,
            slot=booking.slot,
            title=booking.title,
            attendees=booking.attendees,
            status=booking.status,
            created_at=booking.created_at,
            decided_by=booking.decided_by,
            decided_at=booking.decided_at,
            decision_reason=booking.decision_reason,
        )


class Refused(NamedTuple):
    """A domain error; for a taken slot, also the times of the clashing bookings."""

    error: type[DomainError]
    conflicts: tuple[tuple[datetime, datetime], ...] = ()

    @classmethod
    def by(cls, error: DomainError) -> Refused:
        conflicts = tuple(error.conflicts) if isinstance(error, SlotTaken) else ()
        return cls(type(error), conflicts)


Outcome = Facts | Refused


def cleaned_reason(reason: str | None) -> str | None:
    return (reason.strip() or None) if reason else None


def overlap(first: TimeSlot, second: TimeSlot) -> bool:
    return first.start < second.end and second.start < first.end


class BookingMachine(RuleBasedStateMachine):
    bookings = Bundle("bookings")
    # Bookings that were left waiting for a decision: the ones worth approving or rejecting.
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.clock = FixedClock(NOW)
        self.store = MemoryStore(
            users={user.id: copy.deepcopy(user) for user in USERS.values()},
            rooms={room.id: copy.deepcopy(room) for room in ROOMS.values()},
        )

        def unit_of_work(**options: Any) -> MemoryUnitOfWork:
            return MemoryUnitOfWork(self.store, **options)

        self.create_booking = CreateBooking(unit_of_work, self.clock, BookingRules())
        self.change_booking = ChangeBooking(unit_of_work, self.clock, BookingRules())
        self.cancel_booking = CancelBooking(unit_of_work, self.clock)
        self.decide_booking = DecideBooking(unit_of_work, self.clock)

    def teardown(self) -> None:
        self.loop.close()

    # --- Rules ------------------------------------------------------------------------------

    @rule(
        target=bookings,
        actor=anyone,
        room=st.sampled_from(sorted(ROOMS)),
        start=start_steps,
        length=duration_steps,
        attendees=st.integers(1, 12),
    )
    def create(self, actor: str, room: str, start: int, length: int, attendees: int) -> object:
        booking = self.book(USERS[actor], ROOMS[room], self.grid_slot(start, length), attendees)
        return multiple() if booking is None else booking.id

    @rule(
        targets=(bookings, requests),
        student=students,
        start=start_steps,
        length=duration_steps,
        attendees=st.integers(1, 12),
    )
    def student_asks_for_the_lecture_hall(
        self, student: str, start: int, length: int, attendees: int
    ) -> object:
        slot = self.grid_slot(start, length)
        booking = self.book(USERS[student], LECTURE_HALL, slot, attendees)
        return multiple() if booking is None else booking.id

    @rule(
        target=requests,
        booking_id=bookings | requests,
        actor=anyone_or_requester,
        start=start_steps,
        length=duration_steps,
    )
    def reschedule(self, booking_id: UUID, actor: str | None, start: int, length: int) -> object:
        user = self.user_or_requester(actor, booking_id)
        slot = self.grid_slot(start, length)
        expected = self.expected_move(booking_id, user, slot)
        command = ChangeBookingCommand(starts_at=slot.start, ends_at=slot.end)
        booking = self.attempt(self.change_booking(user, booking_id, command), expected)
        waiting = booking is not None and booking.status is PENDING
        return booking_id if waiting else multiple()

    @rule(booking_id=bookings, actor=anyone_or_requester)
    def cancel(self, booking_id: UUID, actor: str | None) -> None:
        user = self.user_or_requester(actor, booking_id)
        expected = self.expected_cancellation(booking_id, user)
        self.attempt(self.cancel_booking(user, booking_id), expected)

    @rule(booking_id=requests, actor=deciders, reason=st.none() | st.sampled_from(REASONS))
    def approve(self, booking_id: UUID, actor: str, reason: str | None) -> None:
        user = USERS[actor]
        expected = self.expected_decision(booking_id, user, APPROVED, reason)
        self.attempt(self.decide_booking.approve(user, booking_id, reason), expected)

    @rule(booking_id=requests, actor=deciders, reason=st.sampled_from(REASONS))
    def reject(self, booking_id: UUID, actor: str, reason: str) -> None:
        user = USERS[actor]
        if not reason.strip():
            expected: Outcome = Refused(InvalidValue)
        else:
            expected = self.expected_decision(booking_id, user, REJECTED, reason)
        self.attempt(self.decide_booking.reject(user, booking_id, reason), expected)

    @precondition(lambda self: self.clock.now() < LATEST_CLOCK)
    @rule(steps=st.integers(1, 3))
    def time_passes(self, steps: int) -> None:
        self.clock.advance(steps * STEP)

    # --- Invariants -------------------------------------------------------------------------

    @invariant()
    def active_bookings_of_a_room_never_overlap(self) -> None:
        active = [booking for booking in self.store.bookings.values() if booking.is_active]
        for first, second in itertools.combinations(active, 2):
            assert first.room_id != second.room_id or not overlap(first.slot, second.slot), (
                f"{first} overlaps {second}"
            )

    @invariant()
    def every_status_agrees_with_its_decision(self) -> None:
        for booking in self.store.bookings.values():
            decided = booking.decided_by is not None
            assert decided == (booking.decided_at is not None), booking
            if booking.decision_reason is not None:
                assert decided, booking
            if booking.status is PENDING:
                assert not decided, booking
            if booking.status is REJECTED:
                assert decided, booking
                assert booking.decision_reason, booking
            if booking.status is APPROVED and not decided:
                # Approved without a decision: nobody had to approve it.
                room = ROOMS_BY_ID[booking.room_id]
                requester = self.store.users[booking.requester_id]
                assert not (room.requires_approval and requester.role is Role.STUDENT), booking

    # --- What each use-case must answer -----------------------------------------------------

    def expected_creation(self, actor: User, room: Room, slot: TimeSlot, attendees: int) -> Outcome:
        now = self.clock.now()
        if slot.start < now or attendees > room.capacity:
            return Refused(RulesBroken)
        if clashes := self.clashes(room.id, slot):
            return Refused(SlotTaken, clashes)
        waits = room.requires_approval and actor.role is Role.STUDENT
        return Facts(
            room_id=room.id,
            requester_id=actor.id,
            slot=slot,
            title=TITLE,
            attendees=attendees,
            status=PENDING if waits else APPROVED,
            created_at=now,
        )

    def expected_move(self, booking_id: UUID, actor: User, slot: TimeSlot) -> Outcome:
        booking = self.store.bookings[booking_id]
        now = self.clock.now()
        if not self.may_see(actor, booking):
            return Refused(NotFound)
        if not booking.is_active or booking.slot.start <= now:
            return Refused(InvalidTransition)
        if slot.start < now:
            return Refused(RulesBroken)
        if clashes := self.clashes(booking.room_id, slot, ignore=booking_id):
            return Refused(SlotTaken, clashes)
        moved = Facts.of(booking)._replace(slot=slot)
        needs_approval_again = (
            slot != booking.slot
            and booking.status is APPROVED
            and ROOMS_BY_ID[booking.room_id].requires_approval
            and actor.role is Role.STUDENT
        )
        if needs_approval_again:
            return moved._replace(
                status=PENDING, decided_by=None, decided_at=None, decision_reason=None
            )
        return moved

    def expected_cancellation(self, booking_id: UUID, actor: User) -> Outcome:
        booking = self.store.bookings[booking_id]
        if not self.may_see(actor, booking):
            return Refused(NotFound)
        if actor.role is Role.STUDENT and booking.slot.end <= self.clock.now():
            return Refused(InvalidTransition)
        if not booking.is_active:
            return Refused(InvalidTransition)
        return Facts.of(booking)._replace(status=CANCELLED)

    def expected_decision(
        self, booking_id: UUID, actor: User, outcome: BookingStatus, reason: str | None
    ) -> Outcome:
        booking = self.store.bookings[booking_id]
        if not self.may_see(actor, booking):
            return Refused(NotFound)
        if booking.status is not PENDING or booking.slot.end <= self.clock.now():
            return Refused(InvalidTransition)
        if reason is not None and len(reason.strip()) > MAX_REASON_LENGTH:
            return Refused(InvalidValue)
        return Facts.of(booking)._replace(
            status=outcome,
            decided_by=actor.id,
            decided_at=self.clock.now(),
            decision_reason=cleaned_reason(reason),
        )

    def clashes(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> tuple[tuple[datetime, datetime], ...]:
        """Times of the active bookings of the room that overlap `slot`, earliest first."""
        return tuple(
            sorted(
                (booking.slot.start, booking.slot.end)
                for booking in self.store.bookings.values()
                if booking.room_id == room_id
                and booking.id != ignore
                and booking.status in (PENDING, APPROVED)
                and overlap(booking.slot, slot)
            )
        )

    def grid_slot(self, start_steps: int, duration_steps: int) -> TimeSlot:
        start = self.clock.now() + start_steps * STEP
        return TimeSlot(start, start + duration_steps * STEP)

    def user_or_requester(self, name: str | None, booking_id: UUID) -> User:
        if name is None:
            return self.store.users[self.store.bookings[booking_id].requester_id]
        return USERS[name]

    @staticmethod
    def may_see(actor: User, booking: Booking) -> bool:
        return booking.requester_id == actor.id or actor.role is not Role.STUDENT

    # --- Running a step ---------------------------------------------------------------------

    def book(self, actor: User, room: Room, slot: TimeSlot, attendees: int) -> Booking | None:
        expected = self.expected_creation(actor, room, slot, attendees)
        command = CreateBookingCommand(room.id, slot.start, slot.end, TITLE, attendees)
        return self.attempt(self.create_booking(actor, command), expected)

    def attempt(self, call: Coroutine[Any, Any, Booking], expected: Outcome) -> Booking | None:
        """Runs the use-case, checks its answer and what it wrote; the booking on success."""
        before = self.snapshot()
        commits = self.store.commits
        booking: Booking | None = None
        try:
            booking = self.loop.run_until_complete(call)
        except DomainError as error:
            outcome: Outcome = Refused.by(error)
        else:
            outcome = Facts.of(booking)
        assert outcome == expected, f"answered {outcome}, expected {expected}"

        after = self.snapshot()
        if booking is None:
            assert after == before, "a refused request changed the store"
            assert self.store.commits == commits, "a refused request committed"
            return None
        assert after.pop(booking.id) == expected, "the stored booking differs from the answer"
        before.pop(booking.id, None)
        assert after == before, "a request changed another booking"
        assert self.store.commits == commits + 1
        return booking

    def snapshot(self) -> dict[UUID, Facts]:
        return {booking.id: Facts.of(booking) for booking in self.store.bookings.values()}


TestBookings = BookingMachine.TestCase
TestBookings.settings = settings(max_examples=120, stateful_step_count=30, deadline=None)
