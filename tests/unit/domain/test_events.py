"""Domain events: which method records which event, with which fields, by whom and when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import InvalidTransition
from campus_booking.domain.events import (
    BookingApproved,
    BookingCancelled,
    BookingChanged,
    BookingRejected,
    BookingRequested,
    DomainEvent,
    RoomChanged,
    RoomCreated,
    RoomDeactivated,
    UserActivationChanged,
    UserPasswordChanged,
    UserRegistered,
    UserRoleChanged,
    UserSignedOutEverywhere,
)
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
ROOM_ID = UUID("00000000-0000-4000-8000-000000000001")
USER_ID = UUID("00000000-0000-4000-8000-000000000002")
BOOKING_ID = UUID("00000000-0000-4000-8000-000000000003")
DECIDER_ID = UUID("00000000-0000-4000-8000-000000000004")
ADMIN_ID = UUID("00000000-0000-4000-8000-000000000005")


def a_user(*, role: Role = Role.STUDENT, token_version: int = 0) -> User:
    return User(
        id=USER_ID,
        email="ana@uni.edu",
        full_name="Ana Lima",
        password_hash="$2b$04$secret-hash",
        created_at=EARLIER,
        role=role,
        token_version=token_version,
    )


def a_room() -> Room:
    return Room(
        id=ROOM_ID,
        name="Oak",
        building="Main",
        capacity=12,
        created_at=EARLIER,
        features=frozenset({"whiteboard", "audio", "projector"}),
        requires_approval=True,
    )


def a_booking(status: BookingStatus = BookingStatus.PENDING) -> Booking:
    return Booking(
        id=BOOKING_ID,
        room_id=ROOM_ID,
        requester_id=USER_ID,
        slot=TimeSlot(NOW + timedelta(hours=2), NOW + timedelta(hours=3)),
        title="Seminar",
        attendees=4,
        status=status,
        created_at=EARLIER,
    )


def an_approved_booking() -> Booking:
    booking = a_booking()
    booking.approve(by=DECIDER_ID, at=NOW, reason="Fine")
    booking.events.clear()
    return booking


def only_event(subject: Booking | Room | User) -> DomainEvent:
    [event] = subject.events
    return event


# --- What the trail keeps of each aggregate -----------------------------------------------


def test_a_user_is_kept_without_password_hash_or_token_version() -> None:
    fields = a_user(role=Role.STAFF, token_version=7).trail_fields()

    assert fields == {
        "email": "ana@uni.edu",
        "full_name": "Ana Lima",
        "role": "STAFF",
        "is_active": True,
    }


def test_a_room_is_kept_as_plain_json_values_with_sorted_features() -> None:
    assert a_room().trail_fields() == {
        "name": "Oak",
        "building": "Main",
        "capacity": 12,
        "features": ["audio", "projector", "whiteboard"],
        "requires_approval": True,
        "is_active": True,
        "time_zone": "UTC",
        "policy_id": None,
    }


def test_a_booking_is_kept_with_ids_as_text_and_times_in_iso_8601() -> None:
    assert an_approved_booking().trail_fields() == {
        "room_id": str(ROOM_ID),
        "requester_id": str(USER_ID),
        "starts_at": "2030-01-01T10:00:00+00:00",
        "ends_at": "2030-01-01T11:00:00+00:00",
        "title": "Seminar",
        "attendees": 4,
        "status": "APPROVED",
        "decided_by": str(DECIDER_ID),
        "decision_reason": "Fine",
    }


def test_an_undecided_booking_keeps_decided_by_and_reason_as_none() -> None:
    fields = a_booking().trail_fields()

    assert (fields["decided_by"], fields["decision_reason"]) == (None, None)


def test_events_are_no_part_of_an_aggregates_equality_or_repr() -> None:
    room, same = a_room(), a_room()
    room.deactivate(by=ADMIN_ID, at=NOW)

    assert room == same
    assert room.events
    assert "events" not in repr(room)


# --- Creations: no before, every kept field after -----------------------------------------


def test_requesting_a_booking_records_it_by_its_requester() -> None:
    booking = Booking.request(
        room_id=ROOM_ID,
        requester_id=USER_ID,
        slot=TimeSlot(NOW + timedelta(hours=2), NOW + timedelta(hours=3)),
        title="Seminar",
        attendees=4,
        needs_approval=True,
        now=NOW,
    )

    assert only_event(booking) == BookingRequested(
        actor_id=USER_ID,
        at=NOW,
        subject_id=booking.id,
        before=None,
        after=booking.trail_fields(),
    )


@pytest.mark.parametrize("actor_id", [ADMIN_ID, None])
def test_creating_a_room_records_it_by_the_actor_given(actor_id: UUID | None) -> None:
    room = Room.create(name="Oak", building="Main", capacity=12, now=NOW, by=actor_id)

    assert only_event(room) == RoomCreated(
        actor_id=actor_id, at=NOW, subject_id=room.id, before=None, after=room.trail_fields()
    )
    assert len(room.trail_fields()) == 8


@pytest.mark.parametrize(("self_service", "by_itself"), [(True, True), (False, False)])
def test_a_sign_up_is_by_the_new_user_and_a_command_line_account_by_nobody(
    self_service: bool, by_itself: bool
) -> None:
    user = User.register(
        email="ana@uni.edu",
        full_name="Ana Lima",
        password_hash="$2b$04$secret-hash",
        now=NOW,
        role=Role.ADMIN,
        self_service=self_service,
    )

    event = only_event(user)
    assert isinstance(event, UserRegistered)
    assert event.actor_id == (user.id if by_itself else None)
    assert (event.subject_id, event.at, event.before) == (user.id, NOW, None)
    assert event.after == user.trail_fields()


# --- Changes: only the fields they touched ------------------------------------------------


def test_a_room_change_keeps_only_the_fields_it_touched() -> None:
    room = a_room()

    room.update(capacity=30, features=["audio"], by=ADMIN_ID, at=NOW)

    assert only_event(room) == RoomChanged(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=ROOM_ID,
        before={"capacity": 12, "features": ["audio", "projector", "whiteboard"]},
        after={"capacity": 30, "features": ["audio"]},
    )


def test_a_room_edit_that_changes_nothing_records_nothing() -> None:
    room = a_room()

    room.update(
        name="Oak", capacity=12, features=["projector", "audio", "whiteboard"], by=ADMIN_ID, at=NOW
    )

    assert room.events == []


def test_deactivating_a_room_records_its_status_once() -> None:
    room = a_room()

    room.deactivate(by=ADMIN_ID, at=NOW)
    room.deactivate(by=ADMIN_ID, at=NOW)

    assert only_event(room) == RoomDeactivated(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=ROOM_ID,
        before={"is_active": True},
        after={"is_active": False},
    )


def test_a_booking_change_keeps_only_the_fields_it_touched() -> None:
    booking = a_booking()

    booking.change(title="Workshop", attendees=4, by=USER_ID, at=NOW)

    assert only_event(booking) == BookingChanged(
        actor_id=USER_ID,
        at=NOW,
        subject_id=BOOKING_ID,
        before={"title": "Seminar"},
        after={"title": "Workshop"},
    )


def test_moving_a_booking_where_approval_is_needed_is_one_change_clearing_the_decision() -> None:
    booking = an_approved_booking()

    booking.change(
        slot=TimeSlot(NOW + timedelta(hours=5), NOW + timedelta(hours=6)),
        needs_approval=True,
        by=USER_ID,
        at=NOW,
    )

    event = only_event(booking)
    assert isinstance(event, BookingChanged)
    assert event.before == {
        "starts_at": "2030-01-01T10:00:00+00:00",
        "ends_at": "2030-01-01T11:00:00+00:00",
        "status": "APPROVED",
        "decided_by": str(DECIDER_ID),
        "decision_reason": "Fine",
    }
    assert event.after == {
        "starts_at": "2030-01-01T13:00:00+00:00",
        "ends_at": "2030-01-01T14:00:00+00:00",
        "status": "PENDING",
        "decided_by": None,
        "decision_reason": None,
    }


def test_a_booking_edit_that_changes_nothing_records_nothing() -> None:
    booking = a_booking()

    booking.change(title="Seminar", attendees=4, by=USER_ID, at=NOW)

    assert booking.events == []


def test_a_cancellation_keeps_the_status_only() -> None:
    booking = an_approved_booking()

    booking.cancel(by=ADMIN_ID, at=NOW)

    assert only_event(booking) == BookingCancelled(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=BOOKING_ID,
        before={"status": "APPROVED"},
        after={"status": "CANCELLED"},
    )


@pytest.mark.parametrize(
    ("decision", "kind", "status"),
    [("approve", BookingApproved, "APPROVED"), ("reject", BookingRejected, "REJECTED")],
)
def test_a_decision_keeps_status_decider_and_reason(
    decision: str, kind: type[DomainEvent], status: str
) -> None:
    booking = a_booking()

    getattr(booking, decision)(by=DECIDER_ID, at=NOW, reason="Closed for works")

    assert only_event(booking) == kind(
        actor_id=DECIDER_ID,
        at=NOW,
        subject_id=BOOKING_ID,
        before={"status": "PENDING", "decided_by": None, "decision_reason": None},
        after={
            "status": status,
            "decided_by": str(DECIDER_ID),
            "decision_reason": "Closed for works",
        },
    )


def test_a_refused_transition_records_nothing() -> None:
    booking = a_booking(BookingStatus.CANCELLED)

    with pytest.raises(InvalidTransition):
        booking.cancel(by=ADMIN_ID, at=NOW)

    assert booking.events == []


# --- Accounts: never a password hash or token version -------------------------------------


def test_a_role_change_keeps_the_role_only() -> None:
    user = a_user()

    user.change_role(Role.ADMIN, by=ADMIN_ID, at=NOW)

    assert only_event(user) == UserRoleChanged(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=USER_ID,
        before={"role": "STUDENT"},
        after={"role": "ADMIN"},
    )
    assert user.token_version == 1


@pytest.mark.parametrize(
    ("change", "active"), [("deactivate", True), ("activate", False)], ids=["off", "on"]
)
def test_a_status_change_keeps_is_active_only(change: str, active: bool) -> None:
    user = a_user()
    user.is_active = active

    getattr(user, change)(by=ADMIN_ID, at=NOW)

    assert only_event(user) == UserActivationChanged(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=USER_ID,
        before={"is_active": active},
        after={"is_active": not active},
    )


def test_account_changes_that_change_nothing_record_nothing() -> None:
    user = a_user()

    user.change_role(Role.STUDENT, by=ADMIN_ID, at=NOW)
    user.activate(by=ADMIN_ID, at=NOW)

    assert user.events == []


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        (lambda user: user.sign_out_everywhere(by=USER_ID, at=NOW), UserSignedOutEverywhere),
        (
            lambda user: user.change_password("$2b$04$new-hash", by=USER_ID, at=NOW),
            UserPasswordChanged,
        ),
    ],
    ids=["sign-out", "password"],
)
def test_session_changes_say_who_and_when_and_carry_no_fields(
    change: Callable[[User], None], kind: type[DomainEvent]
) -> None:
    user = a_user()

    change(user)

    assert only_event(user) == kind(actor_id=USER_ID, at=NOW, subject_id=USER_ID)
    assert (only_event(user).before, only_event(user).after) == (None, None)
