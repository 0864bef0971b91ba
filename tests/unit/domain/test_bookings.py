"""Bookings: creation, the life cycle, validation, and the approval policy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from campus_booking.domain.approval import needs_approval
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import Conflict, DomainError, InvalidTransition, InvalidValue
from campus_booking.domain.permissions import Capability, may
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)
SLOT = TimeSlot(datetime(2030, 1, 20, 10, 0, tzinfo=UTC), datetime(2030, 1, 20, 12, 0, tzinfo=UTC))
ROOM_ID = UUID("00000000-0000-0000-0000-00000000000a")
REQUESTER_ID = UUID("00000000-0000-0000-0000-000000000001")
DECIDER_ID = UUID("00000000-0000-0000-0000-000000000002")
ADMIN_ID = UUID("00000000-0000-0000-0000-000000000003")


def request(
    *, needs_approval: bool = True, title: str = "Reading group", attendees: int = 5
) -> Booking:
    return Booking.request(
        room_id=ROOM_ID,
        requester_id=REQUESTER_ID,
        slot=SLOT,
        title=title,
        attendees=attendees,
        needs_approval=needs_approval,
        now=NOW,
    )


def in_status(status: BookingStatus) -> Booking:
    booking = request(needs_approval=True)
    if status is BookingStatus.APPROVED:
        booking.approve(by=DECIDER_ID, at=LATER)
    elif status is BookingStatus.REJECTED:
        booking.reject(by=DECIDER_ID, at=LATER, reason="Exams")
    elif status is BookingStatus.CANCELLED:
        booking.cancel(by=REQUESTER_ID, at=NOW)
    assert booking.status is status
    return booking


# --- Request ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("needs", "status"), [(True, BookingStatus.PENDING), (False, BookingStatus.APPROVED)]
)
def test_request_status_follows_needs_approval(needs: bool, status: BookingStatus) -> None:
    assert request(needs_approval=needs).status is status


def test_request_records_its_input_and_no_decision() -> None:
    booking = request(title="  Reading   group ", attendees=12)
    assert booking.room_id == ROOM_ID
    assert booking.requester_id == REQUESTER_ID
    assert booking.slot == SLOT
    assert booking.title == "Reading group"
    assert booking.attendees == 12
    assert booking.created_at == NOW
    assert booking.decided_by is None
    assert booking.decided_at is None
    assert booking.decision_reason is None


def test_bookings_are_equal_by_id_only() -> None:
    first, second = request(), request()
    assert first != second
    assert len({first, second}) == 2
    same_id = replace(first, title="Another title", status=BookingStatus.CANCELLED)
    assert first == same_id
    assert hash(first) == hash(same_id)


# --- Validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Exam", "Exam"), ("  Exam  prep \n", "Exam prep"), ("x" * 200, "x" * 200)],
    ids=["clean", "whitespace", "200-characters"],
)
def test_titles_are_cleaned(raw: str, expected: str) -> None:
    assert request(title=raw).title == expected


@pytest.mark.parametrize(
    "title",
    ["", "   ", "\t\n", "x" * 201],
    ids=["empty", "spaces", "tab-newline", "201-characters"],
)
def test_invalid_titles_are_refused_on_title(title: str) -> None:
    with pytest.raises(InvalidValue) as error:
        request(title=title)
    assert error.value.field == "title"


@pytest.mark.parametrize("attendees", [0, -1])
def test_fewer_than_one_attendee_is_refused_on_attendees(attendees: int) -> None:
    with pytest.raises(InvalidValue) as error:
        request(attendees=attendees)
    assert error.value.field == "attendees"


def test_one_attendee_is_enough() -> None:
    assert request(attendees=1).attendees == 1


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   \n", None),
        ("  Room needed for exams  ", "Room needed for exams"),
        ("x" * 500, "x" * 500),
    ],
    ids=["none", "empty", "blank", "stripped", "500-characters"],
)
def test_decision_reasons_are_cleaned(raw: str | None, expected: str | None) -> None:
    booking = request()
    booking.reject(by=DECIDER_ID, at=LATER, reason=raw)
    assert booking.decision_reason == expected


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_an_over_long_reason_is_refused_and_leaves_the_booking_pending(decide: str) -> None:
    booking = request()
    with pytest.raises(InvalidValue) as error:
        getattr(booking, decide)(by=DECIDER_ID, at=LATER, reason="x" * 501)
    assert error.value.field == "reason"
    assert booking.status is BookingStatus.PENDING
    assert booking.decided_by is None
    assert booking.decided_at is None


# --- Life cycle ---------------------------------------------------------------------------


def test_approve_a_pending_booking_records_the_decision() -> None:
    booking = request()
    booking.approve(by=DECIDER_ID, at=LATER, reason="Fine")
    assert booking.status is BookingStatus.APPROVED
    assert booking.decided_by == DECIDER_ID
    assert booking.decided_at == LATER
    assert booking.decision_reason == "Fine"


def test_approve_without_a_reason() -> None:
    booking = request()
    booking.approve(by=DECIDER_ID, at=LATER)
    assert booking.status is BookingStatus.APPROVED
    assert booking.decision_reason is None


def test_reject_a_pending_booking_records_the_decision() -> None:
    booking = request()
    booking.reject(by=DECIDER_ID, at=LATER, reason="Exams that week")
    assert booking.status is BookingStatus.REJECTED
    assert booking.decided_by == DECIDER_ID
    assert booking.decided_at == LATER
    assert booking.decision_reason == "Exams that week"


@pytest.mark.parametrize(
    "status", [BookingStatus.APPROVED, BookingStatus.REJECTED, BookingStatus.CANCELLED]
)
@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_only_a_pending_booking_can_be_decided(status: BookingStatus, decide: str) -> None:
    booking = in_status(status)
    before = (booking.decided_by, booking.decided_at, booking.decision_reason)
    other = UUID("00000000-0000-0000-0000-000000000003")
    with pytest.raises(InvalidTransition):
        getattr(booking, decide)(by=other, at=LATER + timedelta(days=1), reason="Changed mind")
    assert booking.status is status
    assert (booking.decided_by, booking.decided_at, booking.decision_reason) == before


def test_a_booking_approved_on_request_cannot_be_decided() -> None:
    booking = request(needs_approval=False)
    with pytest.raises(InvalidTransition):
        booking.reject(by=DECIDER_ID, at=LATER, reason=None)
    assert booking.status is BookingStatus.APPROVED
    assert booking.decided_by is None


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.APPROVED])
def test_an_active_booking_can_be_cancelled(status: BookingStatus) -> None:
    booking = in_status(status)
    booking.cancel(by=REQUESTER_ID, at=NOW)
    assert booking.status is BookingStatus.CANCELLED
    assert booking.is_active is False


def test_cancelling_keeps_the_earlier_decision() -> None:
    booking = in_status(BookingStatus.APPROVED)
    booking.cancel(by=REQUESTER_ID, at=NOW)
    assert booking.decided_by == DECIDER_ID
    assert booking.decided_at == LATER


@pytest.mark.parametrize("status", [BookingStatus.REJECTED, BookingStatus.CANCELLED])
def test_an_inactive_booking_cannot_be_cancelled(status: BookingStatus) -> None:
    booking = in_status(status)
    with pytest.raises(InvalidTransition) as error:
        booking.cancel(by=REQUESTER_ID, at=NOW)
    assert status.value in error.value.message
    assert booking.status is status


def test_invalid_transition_is_a_conflict() -> None:
    assert issubclass(InvalidTransition, Conflict)
    assert issubclass(InvalidTransition, DomainError)
    booking = in_status(BookingStatus.CANCELLED)
    with pytest.raises(Conflict):
        booking.cancel(by=REQUESTER_ID, at=NOW)


@pytest.mark.parametrize(
    ("status", "active"),
    [
        (BookingStatus.PENDING, True),
        (BookingStatus.APPROVED, True),
        (BookingStatus.REJECTED, False),
        (BookingStatus.CANCELLED, False),
    ],
)
def test_is_active_while_pending_or_approved(status: BookingStatus, active: bool) -> None:
    assert in_status(status).is_active is active


# --- Approval policy ----------------------------------------------------------------------


def user(role: Role) -> User:
    return User.register(
        email="someone@uni.example",
        full_name="Someone",
        password_hash="hash",
        now=NOW,
        role=role,
        self_service=False,
    )


def room(*, requires_approval: bool) -> Room:
    return Room.create(
        name="Room",
        building="Main",
        capacity=10,
        now=NOW,
        requires_approval=requires_approval,
        by=ADMIN_ID,
    )


@pytest.mark.parametrize(
    ("role", "requires_approval", "expected"),
    [
        (Role.STUDENT, True, True),
        (Role.STAFF, True, False),
        (Role.ADMIN, True, False),
        (Role.STUDENT, False, False),
        (Role.STAFF, False, False),
        (Role.ADMIN, False, False),
    ],
)
def test_needs_approval(role: Role, requires_approval: bool, expected: bool) -> None:
    assert needs_approval(user(role), room(requires_approval=requires_approval)) is expected


def test_a_promoted_student_no_longer_needs_approval() -> None:
    student = user(Role.STUDENT)
    approval_room = room(requires_approval=True)
    assert needs_approval(student, approval_room) is True
    student.change_role(Role.STAFF, by=ADMIN_ID, at=NOW)
    assert needs_approval(student, approval_room) is False
    assert may(student, Capability.DECIDE_BOOKINGS) is True
