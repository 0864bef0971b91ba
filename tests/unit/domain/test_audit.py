"""The audit trail's record: what it keeps of each thing, and only what a change touched."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from campus_booking.domain.audit import Action, AuditEntry, Entity, audit_fields, record
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
ROOM_ID = UUID("00000000-0000-4000-8000-000000000001")
USER_ID = UUID("00000000-0000-4000-8000-000000000002")
BOOKING_ID = UUID("00000000-0000-4000-8000-000000000003")
DECIDER_ID = UUID("00000000-0000-4000-8000-000000000004")


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


def a_booking() -> Booking:
    return Booking(
        id=BOOKING_ID,
        room_id=ROOM_ID,
        requester_id=USER_ID,
        slot=TimeSlot(NOW + timedelta(hours=2), NOW + timedelta(hours=3)),
        title="Seminar",
        attendees=4,
        status=BookingStatus.PENDING,
        created_at=EARLIER,
    )


# --- audit_fields -------------------------------------------------------------------------


def test_a_user_is_kept_without_password_hash_or_token_version() -> None:
    entity, fields = audit_fields(a_user(role=Role.STAFF, token_version=7))

    assert entity is Entity.USER
    assert fields == {
        "email": "ana@uni.edu",
        "full_name": "Ana Lima",
        "role": "STAFF",
        "is_active": True,
    }
    assert "password_hash" not in fields
    assert "token_version" not in fields
    assert "$2b$04$secret-hash" not in fields.values()


def test_a_room_is_kept_as_plain_json_values_with_sorted_features() -> None:
    entity, fields = audit_fields(a_room())

    assert entity is Entity.ROOM
    assert fields == {
        "name": "Oak",
        "building": "Main",
        "capacity": 12,
        "features": ["audio", "projector", "whiteboard"],
        "requires_approval": True,
        "is_active": True,
    }


def test_a_booking_is_kept_with_ids_as_text_and_times_in_iso_8601() -> None:
    booking = a_booking()
    booking.approve(by=DECIDER_ID, at=NOW, reason="Fine")

    entity, fields = audit_fields(booking)

    assert entity is Entity.BOOKING
    assert fields == {
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
    _, fields = audit_fields(a_booking())

    assert (fields["decided_by"], fields["decision_reason"]) == (None, None)


# --- record -------------------------------------------------------------------------------


def test_a_creation_has_no_before_and_every_field_after() -> None:
    actor = a_user()
    room = a_room()

    entry = record(actor=actor, action=Action.CREATED, subject=room, before=None, at=NOW)

    assert entry is not None
    assert (entry.at, entry.actor_id, entry.entity, entry.entity_id, entry.action) == (
        NOW,
        USER_ID,
        Entity.ROOM,
        ROOM_ID,
        Action.CREATED,
    )
    assert entry.before is None
    assert entry.after == audit_fields(room)[1]
    assert len(entry.after) == 6


def test_a_change_keeps_only_the_fields_it_touched() -> None:
    room = a_room()
    before = audit_fields(room)[1]
    room.update(capacity=30, features=["audio"])

    entry = record(actor=a_user(), action=Action.CHANGED, subject=room, before=before, at=NOW)

    assert entry is not None
    assert entry.before == {"capacity": 12, "features": ["audio", "projector", "whiteboard"]}
    assert entry.after == {"capacity": 30, "features": ["audio"]}


def test_a_cancellation_keeps_the_status_only() -> None:
    booking = a_booking()
    booking.approve(by=DECIDER_ID, at=NOW, reason="Fine")
    before = audit_fields(booking)[1]
    booking.cancel()

    entry = record(actor=a_user(), action=Action.CANCELLED, subject=booking, before=before, at=NOW)

    assert entry is not None
    assert (entry.before, entry.after) == ({"status": "APPROVED"}, {"status": "CANCELLED"})


def test_a_field_cleared_to_none_is_kept_as_none_after() -> None:
    """Moving an approved booking where approval is needed clears the decision: say so."""
    booking = a_booking()
    booking.approve(by=DECIDER_ID, at=NOW, reason="Fine")
    before = audit_fields(booking)[1]
    booking.change(
        slot=TimeSlot(NOW + timedelta(hours=5), NOW + timedelta(hours=6)), needs_approval=True
    )

    entry = record(actor=a_user(), action=Action.CHANGED, subject=booking, before=before, at=NOW)

    assert entry is not None
    assert entry.before == {
        "starts_at": "2030-01-01T10:00:00+00:00",
        "ends_at": "2030-01-01T11:00:00+00:00",
        "status": "APPROVED",
        "decided_by": str(DECIDER_ID),
        "decision_reason": "Fine",
    }
    assert entry.after == {
        "starts_at": "2030-01-01T13:00:00+00:00",
        "ends_at": "2030-01-01T14:00:00+00:00",
        "status": "PENDING",
        "decided_by": None,
        "decision_reason": None,
    }


def test_a_booking_decision_keeps_status_decider_and_reason() -> None:
    booking = a_booking()
    before = audit_fields(booking)[1]
    booking.reject(by=DECIDER_ID, at=NOW, reason="Closed for works")

    entry = record(actor=a_user(), action=Action.REJECTED, subject=booking, before=before, at=NOW)

    assert entry is not None
    assert entry.before == {"status": "PENDING", "decided_by": None, "decision_reason": None}
    assert entry.after == {
        "status": "REJECTED",
        "decided_by": str(DECIDER_ID),
        "decision_reason": "Closed for works",
    }


def test_nothing_changed_gives_no_entry() -> None:
    room = a_room()
    before = audit_fields(room)[1]
    room.update(name="Oak", capacity=12, features=["projector", "audio", "whiteboard"])

    entry = record(actor=a_user(), action=Action.CHANGED, subject=room, before=before, at=NOW)

    assert entry is None


def test_a_change_only_to_fields_the_trail_does_not_keep_gives_no_entry() -> None:
    """Revoking tokens bumps token_version, which the trail never keeps: nothing to say."""
    user = a_user()
    before = audit_fields(user)[1]
    user.revoke_tokens()
    user.password_hash = "$2b$04$another-hash"

    assert record(actor=user, action=Action.CHANGED, subject=user, before=before, at=NOW) is None


def test_a_user_change_never_carries_the_password_hash_or_token_version() -> None:
    user = a_user()
    before = audit_fields(user)[1]
    user.change_role(Role.ADMIN)

    entry = record(actor=user, action=Action.CHANGED, subject=user, before=before, at=NOW)

    assert entry is not None
    assert (entry.before, entry.after) == ({"role": "STUDENT"}, {"role": "ADMIN"})
    assert user.token_version == 1


def test_without_an_actor_the_entry_has_no_actor_id() -> None:
    entry = record(actor=None, action=Action.CREATED, subject=a_user(), before=None, at=NOW)

    assert entry is not None
    assert entry.actor_id is None


@pytest.mark.parametrize("action", list(Action))
def test_the_entry_carries_the_action_and_time_it_is_given(action: Action) -> None:
    later = NOW + timedelta(minutes=5)

    entry = record(actor=None, action=action, subject=a_room(), before=None, at=later)

    assert entry is not None
    assert entry == AuditEntry(
        at=later,
        actor_id=None,
        entity=Entity.ROOM,
        entity_id=ROOM_ID,
        action=action,
        before=None,
        after=audit_fields(a_room())[1],
        id=entry.id,
    )


def test_each_entry_gets_its_own_id() -> None:
    first = record(actor=None, action=Action.CREATED, subject=a_room(), before=None, at=NOW)
    second = record(actor=None, action=Action.CREATED, subject=a_room(), before=None, at=NOW)

    assert first is not None
    assert second is not None
    assert first.id != second.id
