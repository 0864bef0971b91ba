"""ListAuditEntries: only admins read the trail, newest first, filtered and paged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.audit import ListAuditEntries
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.errors import PermissionDenied
from campus_booking.domain.users import Role, User
from tests.unit.application.audit.entries import snapshot
from tests.unit.builders import NOW, add_user

ANA = UUID("00000000-0000-4000-8000-00000000000a")


BEN = UUID("00000000-0000-4000-8000-00000000000b")


ROOM_A = UUID("00000000-0000-4000-8000-0000000000a1")


BOOKING_A = UUID("00000000-0000-4000-8000-0000000000b1")


def logged(
    minutes: int, entity: Entity, entity_id: UUID, actor_id: UUID | None, name: str
) -> AuditEntry:
    """An entry at NOW + `minutes`; `name` in `after` tells entries apart in assertions."""
    return AuditEntry(
        at=NOW + timedelta(minutes=minutes),
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=Action.CHANGED,
        before={"name": "old"},
        after={"name": name},
    )


@pytest.fixture
def logbook(store: MemoryStore) -> None:
    """Six entries, written out of time order so that the listing has to sort them."""
    store.audit.extend(
        [
            logged(20, Entity.ROOM, ROOM_A, ANA, "room-20"),
            logged(0, Entity.USER, ANA, None, "user-0"),
            logged(40, Entity.BOOKING, BOOKING_A, BEN, "booking-40"),
            logged(10, Entity.BOOKING, BOOKING_A, ANA, "booking-10"),
            logged(50, Entity.ROOM, ROOM_A, BEN, "room-50"),
            logged(30, Entity.BOOKING, uuid4(), ANA, "other-booking-30"),
        ]
    )


def names(entries: list[AuditEntry]) -> list[Any]:
    return [e.after["name"] if e.after else None for e in entries]


@pytest.mark.parametrize("role", [Role.STUDENT, Role.STAFF])
async def test_only_admins_may_read_the_audit_log(
    uow: UnitOfWorkFactory, store: MemoryStore, logbook: None, role: Role
) -> None:
    caller = add_user(store, role, email="caller@uni.edu")

    with pytest.raises(PermissionDenied) as error:
        await ListAuditEntries(uow)(caller, AuditFilter(), PageRequest())

    assert error.value.message == "This needs one of the roles: ADMIN."


async def test_the_log_lists_newest_first_with_the_total(
    uow: UnitOfWorkFactory, logbook: None, admin: User
) -> None:
    page = await ListAuditEntries(uow)(admin, AuditFilter(), PageRequest())

    assert names(page.items) == [
        "room-50",
        "booking-40",
        "other-booking-30",
        "room-20",
        "booking-10",
        "user-0",
    ]
    assert (page.total, page.limit, page.offset) == (6, 50, 0)


@pytest.mark.parametrize(
    ("audit_filter", "expected"),
    [
        (AuditFilter(entity=Entity.ROOM), ["room-50", "room-20"]),
        (AuditFilter(entity=Entity.USER), ["user-0"]),
        (AuditFilter(entity_id=BOOKING_A), ["booking-40", "booking-10"]),
        (AuditFilter(actor_id=ANA), ["other-booking-30", "room-20", "booking-10"]),
        (AuditFilter(actor_id=uuid4()), []),
        (
            AuditFilter(since=NOW + timedelta(minutes=20)),
            ["room-50", "booking-40", "other-booking-30", "room-20"],
        ),
        (AuditFilter(until=NOW + timedelta(minutes=20)), ["booking-10", "user-0"]),
        (
            AuditFilter(since=NOW + timedelta(minutes=10), until=NOW + timedelta(minutes=40)),
            ["other-booking-30", "room-20", "booking-10"],
        ),
        (AuditFilter(entity=Entity.BOOKING, actor_id=ANA), ["other-booking-30", "booking-10"]),
        (AuditFilter(entity=Entity.USER, entity_id=BOOKING_A), []),
    ],
    ids=[
        "entity-room",
        "entity-user",
        "entity-id",
        "actor",
        "unknown-actor",
        "since-is-inclusive",
        "until-is-exclusive",
        "window",
        "entity-and-actor",
        "contradiction",
    ],
)
async def test_the_log_filters(
    uow: UnitOfWorkFactory,
    logbook: None,
    admin: User,
    audit_filter: AuditFilter,
    expected: list[str],
) -> None:
    page = await ListAuditEntries(uow)(admin, audit_filter, PageRequest())

    assert names(page.items) == expected
    assert page.total == len(expected)


async def test_the_log_pages_through_the_filtered_entries(
    uow: UnitOfWorkFactory, logbook: None, admin: User
) -> None:
    list_entries = ListAuditEntries(uow)
    wanted = AuditFilter(entity=Entity.BOOKING)

    first = await list_entries(admin, wanted, PageRequest(limit=2, offset=0))
    last = await list_entries(admin, wanted, PageRequest(limit=2, offset=2))
    beyond = await list_entries(admin, wanted, PageRequest(limit=2, offset=5))

    assert (names(first.items), first.total) == (["booking-40", "other-booking-30"], 3)
    assert (names(last.items), last.total, last.offset) == (["booking-10"], 3, 2)
    assert (beyond.items, beyond.total, beyond.limit) == ([], 3, 2)


async def test_reading_the_log_changes_nothing(
    uow: UnitOfWorkFactory, store: MemoryStore, logbook: None, admin: User
) -> None:
    before = snapshot(store)

    page = await ListAuditEntries(uow)(admin, AuditFilter(), PageRequest())
    page.items[0].after["name"] = "tampered"  # type: ignore[index]

    assert snapshot(store) == before
    assert store.commits == 0
