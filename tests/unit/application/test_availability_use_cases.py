"""The availability use-cases through the in-memory fakes: local days, quotas across a
policy's rooms, the grid's bounds."""

from __future__ import annotations

from uuid import uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.availability import GetAvailabilityGrid, GetRoomAvailability
from campus_booking.application.free_rooms import FindFreeRooms, FreeRoomQuery
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.domain.alternatives import AlternativeKind
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.errors import InvalidValue, NotFound
from campus_booking.domain.users import User
from tests.unit.builders import add_booking, add_closure, add_policy, add_room, at, period, slot


async def search(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    actor: User,
    start: float,
    end: float,
    **fields: object,
) -> tuple[list[str], list[tuple[AlternativeKind, str, object]]]:
    found = await FindFreeRooms(uow, clock, BookingRules())(
        actor,
        FreeRoomQuery(starts_at=at(start), ends_at=at(end), **fields),  # type: ignore[arg-type]
    )
    return [room.name for room in found.items], [
        (a.kind, a.room.name, a.slot) for a in found.alternatives
    ]


async def test_other_times_stay_on_the_local_day_of_the_room(
    store: MemoryStore, uow: UnitOfWorkFactory, clock: FixedClock, student: User
) -> None:
    # In New York (UTC-5) the asked hour, at(20) to at(21), is 23:00 to midnight of 1 January.
    room = add_room(store, "Hudson", time_zone="America/New_York")
    add_booking(store, room, slot(19.5, 21))

    items, alternatives = await search(uow, clock, student, 20, 21)

    # Midnight on, a nearer hour is free, but on 2 January in New York: not offered.
    assert items == []
    assert alternatives == [(AlternativeKind.OTHER_TIME, "Hudson", slot(18.5, 19.5))]


async def test_quotas_count_the_callers_bookings_in_every_room_of_the_policy(
    store: MemoryStore, uow: UnitOfWorkFactory, clock: FixedClock, student: User, staff: User
) -> None:
    policy = add_policy(store, max_minutes_per_day=60)
    first = add_room(store, "First", policy_id=policy.id)
    add_room(store, "Second", policy_id=policy.id)
    add_room(store, "Unruled")
    add_booking(store, first, slot(2, 3), by=student)

    items, _ = await search(uow, clock, student, 5, 6)
    staff_items, _ = await search(uow, clock, staff, 5, 6)

    assert items == ["Unruled"]
    assert staff_items == ["First", "Second", "Unruled"]  # the quota is the student's own


async def test_a_room_no_longer_in_use_is_closed_throughout_and_an_unknown_one_is_not_found(
    store: MemoryStore, uow: UnitOfWorkFactory, student: User
) -> None:
    retired = add_room(store, "Retired", is_active=False)
    open_room = add_room(store, "Open")
    add_closure(store, open_room, period(1, 2))

    grid = await GetAvailabilityGrid(uow)(student, [retired.id, open_room.id], at(0), at(3), 60)
    availability = await GetRoomAvailability(uow)(student, retired.id, at(0), at(3))

    assert grid.views == [(retired.id, "333"), (open_room.id, "030")]
    assert (availability.open, availability.free) == ([], [])
    with pytest.raises(NotFound):
        await GetAvailabilityGrid(uow)(student, [open_room.id, uuid4()], at(0), at(3), 60)


@pytest.mark.parametrize(
    ("rooms", "hours", "interval", "field"),
    [
        (0, 3, 60, "room_id"),
        (101, 3, 60, "room_id"),
        (1, 3, 0, "interval_minutes"),
        (1, 3, 1441, "interval_minutes"),
        (1, 24 * 7, 5, "interval_minutes"),  # 2,016 intervals
        (1, 24 * 31 + 1, 60, "to"),
        (1, 0, 60, "to"),
    ],
)
async def test_a_grid_out_of_bounds_names_the_field(
    store: MemoryStore,
    uow: UnitOfWorkFactory,
    student: User,
    rooms: int,
    hours: int,
    interval: int,
    field: str,
) -> None:
    room_ids = [add_room(store, f"Room {n}").id for n in range(rooms)]

    with pytest.raises(InvalidValue) as refused:
        await GetAvailabilityGrid(uow)(student, room_ids, at(0), at(hours), interval)

    assert refused.value.field == field


async def test_a_grid_names_each_room_once(
    store: MemoryStore, uow: UnitOfWorkFactory, student: User
) -> None:
    room = add_room(store)

    with pytest.raises(InvalidValue) as refused:
        await GetAvailabilityGrid(uow)(student, [room.id, room.id], at(0), at(1), 60)

    assert refused.value.field == "room_id"
