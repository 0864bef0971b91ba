"""From a commit's events to its audit entries: one per subject and action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from campus_booking.application.audit import ENTRY_OF, audit_entries
from campus_booking.domain import events
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.events import (
    BookingCancelled,
    DomainEvent,
    RoomDeactivated,
    UserActivationChanged,
    UserRoleChanged,
    UserSignedOutEverywhere,
)

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
ADMIN_ID = UUID("00000000-0000-4000-8000-000000000001")
USER_ID = UUID("00000000-0000-4000-8000-000000000002")
ROOM_ID = UUID("00000000-0000-4000-8000-000000000003")
BOOKING_IDS = [UUID(f"00000000-0000-4000-8000-00000000001{n}") for n in range(2)]


def without_id(entry: AuditEntry) -> tuple[object, ...]:
    return (
        entry.at,
        entry.actor_id,
        entry.entity,
        entry.entity_id,
        entry.action,
        entry.before,
        entry.after,
    )


def test_every_event_has_its_entity_and_action() -> None:
    kinds = {
        kind
        for kind in vars(events).values()
        if isinstance(kind, type) and issubclass(kind, DomainEvent) and kind is not DomainEvent
    }

    assert set(ENTRY_OF) == kinds
    assert {action for _, action in ENTRY_OF.values()} == set(Action)


def test_one_event_is_one_entry_carrying_what_it_says() -> None:
    [entry] = audit_entries(
        [
            RoomDeactivated(
                actor_id=ADMIN_ID,
                at=NOW,
                subject_id=ROOM_ID,
                before={"is_active": True},
                after={"is_active": False},
            )
        ]
    )

    assert without_id(entry) == (
        NOW,
        ADMIN_ID,
        Entity.ROOM,
        ROOM_ID,
        Action.DEACTIVATED,
        {"is_active": True},
        {"is_active": False},
    )


def test_a_role_and_a_status_changed_together_are_one_entry_with_both_fields() -> None:
    role = UserRoleChanged(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=USER_ID,
        before={"role": "STUDENT"},
        after={"role": "STAFF"},
    )
    status = UserActivationChanged(
        actor_id=ADMIN_ID,
        at=NOW + timedelta(seconds=1),
        subject_id=USER_ID,
        before={"is_active": True},
        after={"is_active": False},
    )

    [entry] = audit_entries([role, status])

    assert without_id(entry) == (
        NOW,
        ADMIN_ID,
        Entity.USER,
        USER_ID,
        Action.CHANGED,
        {"role": "STUDENT", "is_active": True},
        {"role": "STAFF", "is_active": False},
    )


def test_a_field_changed_twice_keeps_its_first_value_before_and_its_last_after() -> None:
    def role_change(before: str, after: str) -> UserRoleChanged:
        return UserRoleChanged(
            actor_id=ADMIN_ID,
            at=NOW,
            subject_id=USER_ID,
            before={"role": before},
            after={"role": after},
        )

    [entry] = audit_entries([role_change("STUDENT", "STAFF"), role_change("STAFF", "ADMIN")])
    assert (entry.before, entry.after) == ({"role": "STUDENT"}, {"role": "ADMIN"})

    assert audit_entries([role_change("STUDENT", "STAFF"), role_change("STAFF", "STUDENT")]) == []


def test_other_subjects_and_actions_stay_apart_in_the_order_they_happened() -> None:
    room = RoomDeactivated(
        actor_id=ADMIN_ID,
        at=NOW,
        subject_id=ROOM_ID,
        before={"is_active": True},
        after={"is_active": False},
    )
    cancellations = [
        BookingCancelled(
            actor_id=ADMIN_ID,
            at=NOW,
            subject_id=booking_id,
            before={"status": "APPROVED"},
            after={"status": "CANCELLED"},
        )
        for booking_id in BOOKING_IDS
    ]

    entries = audit_entries([room, *cancellations])

    assert [(entry.entity_id, entry.action) for entry in entries] == [
        (ROOM_ID, Action.DEACTIVATED),
        (BOOKING_IDS[0], Action.CANCELLED),
        (BOOKING_IDS[1], Action.CANCELLED),
    ]
    assert len({entry.id for entry in entries}) == 3


def test_no_events_no_entries() -> None:
    assert audit_entries([]) == []


def test_an_event_without_fields_is_an_entry_without_before_or_after() -> None:
    [entry] = audit_entries([UserSignedOutEverywhere(actor_id=USER_ID, at=NOW, subject_id=USER_ID)])

    assert (entry.action, entry.actor_id, entry.before, entry.after) == (
        Action.SIGNED_OUT,
        USER_ID,
        None,
        None,
    )
