"""Booking rules, and who may see, change and cancel which booking, checked by role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from campus_booking.domain.access import (
    check_can_cancel,
    check_can_change,
    check_can_see,
)
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import Conflict, InvalidTransition, InvalidValue, NotFound
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
REQUESTER_ID = UUID("00000000-0000-0000-0000-000000000001")
OTHER_ID = UUID("00000000-0000-0000-0000-000000000002")
ROOM_ID = UUID("00000000-0000-0000-0000-00000000000a")
MANAGERS = [Role.STAFF, Role.ADMIN]
INACTIVE = [BookingStatus.CANCELLED, BookingStatus.REJECTED]


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


def slot(start: float, end: float) -> TimeSlot:
    return TimeSlot(at(start), at(end))


def room(*, capacity: int = 10, is_active: bool = True) -> Room:
    return Room(
        name="Oak",
        building="Main",
        capacity=capacity,
        created_at=NOW,
        is_active=is_active,
        id=ROOM_ID,
    )


def user(role: Role, user_id: UUID = REQUESTER_ID) -> User:
    return User(
        email="someone@uni.edu",
        full_name="Someone",
        password_hash="hash",
        created_at=NOW,
        role=role,
        id=user_id,
    )


def booking(
    start: float = 1, end: float = 2, *, status: BookingStatus = BookingStatus.APPROVED
) -> Booking:
    """A booking made by REQUESTER_ID."""
    return Booking(
        room_id=ROOM_ID,
        requester_id=REQUESTER_ID,
        slot=slot(start, end),
        title="Seminar",
        attendees=4,
        status=status,
        created_at=NOW,
    )


# --- BookingRules -------------------------------------------------------------------------


def test_a_request_within_every_limit_passes() -> None:
    rules = BookingRules()

    assert rules.check(room=room(capacity=10), slot=slot(0, 8), attendees=10, now=NOW) is None


def test_an_inactive_room_is_a_conflict_before_anything_else() -> None:
    with pytest.raises(Conflict) as error:
        BookingRules().check(room=room(is_active=False), slot=slot(-1, 20), attendees=99, now=NOW)

    assert type(error.value) is Conflict
    assert error.value.message == "Room 'Oak' is no longer in use and cannot be booked."


@pytest.mark.parametrize("start", [-0.001, -1, -20])
def test_a_start_in_the_past_is_refused(start: float) -> None:
    with pytest.raises(InvalidValue) as error:
        BookingRules().check(room=room(), slot=slot(start, 1), attendees=1, now=NOW)

    assert (error.value.field, error.value.reason) == ("starts_at", "must not be in the past")


def test_a_past_start_is_reported_before_the_other_rules() -> None:
    with pytest.raises(InvalidValue) as error:
        BookingRules().check(room=room(capacity=1), slot=slot(-1, 20), attendees=5, now=NOW)

    assert error.value.field == "starts_at"


def test_a_slot_longer_than_the_maximum_is_refused() -> None:
    too_long = TimeSlot(at(1), at(9) + timedelta(seconds=1))

    with pytest.raises(InvalidValue) as error:
        BookingRules().check(room=room(), slot=too_long, attendees=1, now=NOW)

    assert (error.value.field, error.value.reason) == (
        "ends_at",
        "a booking may last at most 8 hours",
    )


@pytest.mark.parametrize(
    ("max_duration", "length", "reason"),
    [
        (timedelta(minutes=90), 1.75, "a booking may last at most 1.5 hours"),
        (timedelta(hours=2), 2.5, "a booking may last at most 2 hours"),
    ],
)
def test_the_maximum_duration_is_configurable(
    max_duration: timedelta, length: float, reason: str
) -> None:
    rules = BookingRules(max_duration=max_duration)

    with pytest.raises(InvalidValue) as error:
        rules.check(room=room(), slot=slot(1, 1 + length), attendees=1, now=NOW)

    assert (error.value.field, error.value.reason) == ("ends_at", reason)
    assert rules.check(room=room(), slot=slot(1, 1 + length / 2), attendees=1, now=NOW) is None


def test_more_attendees_than_the_room_holds_is_refused() -> None:
    with pytest.raises(InvalidValue) as error:
        BookingRules().check(room=room(capacity=10), slot=slot(1, 2), attendees=11, now=NOW)

    assert (error.value.field, error.value.reason) == (
        "attendees",
        "the room holds at most 10 people",
    )


# --- check_can_see ------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role))
def test_everyone_sees_their_own_booking(role: Role) -> None:
    assert check_can_see(user(role), booking()) is None


@pytest.mark.parametrize("role", MANAGERS)
def test_staff_and_admins_see_anyones_booking(role: Role) -> None:
    assert check_can_see(user(role, OTHER_ID), booking()) is None


def test_a_student_does_not_see_another_students_booking() -> None:
    with pytest.raises(NotFound) as error:
        check_can_see(user(Role.STUDENT, OTHER_ID), booking())

    assert error.value.message == "Booking not found."


# --- check_can_change ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [BookingStatus.PENDING, BookingStatus.APPROVED])
@pytest.mark.parametrize("role", list(Role))
def test_an_active_upcoming_booking_may_be_changed_by_its_requester(
    role: Role, status: BookingStatus
) -> None:
    assert check_can_change(user(role), booking(status=status), NOW) is None


@pytest.mark.parametrize("role", MANAGERS)
def test_staff_and_admins_may_change_anyones_upcoming_booking(role: Role) -> None:
    assert check_can_change(user(role, OTHER_ID), booking(), NOW) is None


def test_a_student_may_not_change_another_students_booking() -> None:
    with pytest.raises(NotFound) as error:
        check_can_change(user(Role.STUDENT, OTHER_ID), booking(), NOW)

    assert error.value.message == "Booking not found."


@pytest.mark.parametrize("status", INACTIVE)
def test_another_students_inactive_booking_is_still_not_found_rather_than_refused(
    status: BookingStatus,
) -> None:
    with pytest.raises(NotFound):
        check_can_change(user(Role.STUDENT, OTHER_ID), booking(status=status), NOW)


@pytest.mark.parametrize("status", INACTIVE)
@pytest.mark.parametrize("role", list(Role))
def test_an_inactive_booking_cannot_be_changed(role: Role, status: BookingStatus) -> None:
    with pytest.raises(InvalidTransition) as error:
        check_can_change(user(role), booking(status=status), NOW)

    assert error.value.message == f"A {status.value} booking cannot be changed."


@pytest.mark.parametrize(("start", "end"), [(0, 1), (-1, 1), (-2, -1)])
@pytest.mark.parametrize("role", list(Role))
def test_a_booking_that_has_started_cannot_be_changed(role: Role, start: float, end: float) -> None:
    with pytest.raises(InvalidTransition) as error:
        check_can_change(user(role), booking(start, end), NOW)

    assert error.value.message == "A booking that has started cannot be changed."


# --- check_can_cancel ---------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [(1, 2), (0, 1), (-1, 0.001)])
@pytest.mark.parametrize("role", list(Role))
def test_the_requester_may_cancel_until_the_end(role: Role, start: float, end: float) -> None:
    assert check_can_cancel(user(role), booking(start, end), NOW) is None


@pytest.mark.parametrize(("start", "end"), [(-1, 0), (-3, -2)])
def test_a_student_may_not_cancel_once_the_booking_has_ended(start: float, end: float) -> None:
    with pytest.raises(InvalidTransition) as error:
        check_can_cancel(user(Role.STUDENT), booking(start, end), NOW)

    assert error.value.message == "A booking that has ended cannot be cancelled."


@pytest.mark.parametrize(("start", "end"), [(-1, 0), (-3, -2), (1, 2)])
@pytest.mark.parametrize("role", MANAGERS)
def test_staff_and_admins_may_cancel_anyones_booking_at_any_time(
    role: Role, start: float, end: float
) -> None:
    assert check_can_cancel(user(role, OTHER_ID), booking(start, end), NOW) is None


@pytest.mark.parametrize(("start", "end"), [(1, 2), (-3, -2)])
def test_a_student_may_not_cancel_another_students_booking(start: float, end: float) -> None:
    with pytest.raises(NotFound) as error:
        check_can_cancel(user(Role.STUDENT, OTHER_ID), booking(start, end), NOW)

    assert error.value.message == "Booking not found."
