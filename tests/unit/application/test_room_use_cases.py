"""Room use-cases: listing, lookup, creation, update and deactivation, on the memory fakes."""

from __future__ import annotations

from dataclasses import asdict
from uuid import UUID, uuid4

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import PageRequest, RoomFilter
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    GetRoom,
    ListRooms,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import Conflict, InvalidValue, NotFound, PermissionDenied
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.application.store_state import state
from tests.unit.builders import NOW, a_user, add_booking, add_room, add_user, slot

# Who makes the changes in these tests; the audit trail records them (see audit/).
# An admin: staff may not deactivate rooms.
MANAGER = a_user(Role.ADMIN, email="manager@uni.edu", full_name="Manager")


def names(rooms: list[Room]) -> list[str]:
    return [room.name for room in rooms]


@pytest.fixture
def store() -> MemoryStore:
    """Holds MANAGER: every writer re-reads its actor from the store."""
    return MemoryStore(users={MANAGER.id: MANAGER})


# --- ListRooms ----------------------------------------------------------------------------


async def test_list_rooms_orders_by_name_and_leaves_out_inactive_rooms(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    add_room(store, "Cedar")
    add_room(store, "Ash")
    add_room(store, "Birch")
    add_room(store, "Alder", is_active=False)

    page = await ListRooms(uow)(student, RoomFilter(), PageRequest())

    assert names(page.items) == ["Ash", "Birch", "Cedar"]
    assert (page.total, page.limit, page.offset) == (3, 50, 0)


async def test_list_rooms_min_capacity_keeps_rooms_at_least_that_big(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    add_room(store, "Small", capacity=5)
    add_room(store, "Exact", capacity=10)
    add_room(store, "Large", capacity=20)

    page = await ListRooms(uow)(student, RoomFilter(min_capacity=10), PageRequest())

    assert names(page.items) == ["Exact", "Large"]
    assert page.total == 2


async def test_list_rooms_building_filter_keeps_that_building_only(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    add_room(store, "A1", building="Science")
    add_room(store, "B1", building="Library")
    add_room(store, "A2", building="Science")

    page = await ListRooms(uow)(student, RoomFilter(building="Science"), PageRequest())

    assert names(page.items) == ["A1", "A2"]
    assert page.total == 2


async def test_list_rooms_features_filter_needs_every_feature(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    add_room(store, "Projector only", features=frozenset({"projector"}))
    add_room(store, "Both", features=frozenset({"projector", "whiteboard"}))
    add_room(store, "Everything", features=frozenset({"projector", "whiteboard", "audio"}))
    add_room(store, "Whiteboard only", features=frozenset({"whiteboard"}))
    wanted = frozenset({"projector", "whiteboard"})

    page = await ListRooms(uow)(student, RoomFilter(features=wanted), PageRequest())

    assert names(page.items) == ["Both", "Everything"]
    assert page.total == 2


async def test_list_rooms_combines_filters(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    add_room(store, "Fits", building="Science", capacity=30, features=frozenset({"audio"}))
    add_room(store, "Too small", building="Science", capacity=8, features=frozenset({"audio"}))
    add_room(store, "Elsewhere", building="Library", capacity=30, features=frozenset({"audio"}))
    add_room(store, "No audio", building="Science", capacity=30)
    wanted = RoomFilter(min_capacity=10, building="Science", features=frozenset({"audio"}))

    page = await ListRooms(uow)(student, wanted, PageRequest())

    assert names(page.items) == ["Fits"]
    assert page.total == 1


async def test_a_student_may_not_list_inactive_rooms(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    add_room(store, "Closed", is_active=False)

    with pytest.raises(PermissionDenied) as error:
        await ListRooms(uow)(student, RoomFilter(include_inactive=True), PageRequest())

    assert error.value.message == "Only staff and admins may list inactive rooms."


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_may_list_inactive_rooms_too(
    uow: UnitOfWorkFactory, store: MemoryStore, role: Role
) -> None:
    actor = add_user(store, role)
    add_room(store, "Open")
    add_room(store, "Closed", is_active=False)

    page = await ListRooms(uow)(actor, RoomFilter(include_inactive=True), PageRequest())

    assert names(page.items) == ["Closed", "Open"]
    assert [room.is_active for room in page.items] == [False, True]
    assert page.total == 2


async def test_list_rooms_pages_through_the_ordered_rooms(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    for name in ["E", "C", "A", "D", "B"]:
        add_room(store, name)

    page = await ListRooms(uow)(student, RoomFilter(), PageRequest(limit=2, offset=2))

    assert names(page.items) == ["C", "D"]
    assert (page.total, page.limit, page.offset) == (5, 2, 2)


async def test_list_rooms_last_page_is_short_and_past_the_end_is_empty(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    for name in ["A", "B", "C"]:
        add_room(store, name)
    list_rooms = ListRooms(uow)

    last = await list_rooms(student, RoomFilter(), PageRequest(limit=2, offset=2))
    beyond = await list_rooms(student, RoomFilter(), PageRequest(limit=2, offset=10))

    assert (names(last.items), last.total) == (["C"], 3)
    assert (beyond.items, beyond.total, beyond.offset) == ([], 3, 10)


# --- GetRoom ------------------------------------------------------------------------------


async def test_get_room_returns_the_room(uow: UnitOfWorkFactory, store: MemoryStore) -> None:
    room = add_room(store, "Oak", building="Science", capacity=12, features=frozenset({"audio"}))

    found = await GetRoom(uow)(room.id)

    assert asdict(found) == asdict(room)


async def test_get_room_of_an_unknown_id_is_not_found(uow: UnitOfWorkFactory) -> None:
    with pytest.raises(NotFound) as error:
        await GetRoom(uow)(uuid4())

    assert error.value.message == "Room not found."


# --- CreateRoom ---------------------------------------------------------------------------


async def test_create_room_stores_a_cleaned_room(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    command = CreateRoomCommand(
        name="  Seminar   Room 1 ",
        building=" Science ",
        capacity=24,
        features=["Projector", " whiteboard "],
        requires_approval=True,
    )

    room = await CreateRoom(uow, clock)(MANAGER, command)

    stored = store.rooms[room.id]
    assert (stored.name, stored.building, stored.capacity) == ("Seminar Room 1", "Science", 24)
    assert stored.features == frozenset({"projector", "whiteboard"})
    assert (stored.requires_approval, stored.is_active, stored.created_at) == (True, True, NOW)
    assert list(store.rooms) == [room.id]
    assert store.commits == 1


async def test_a_new_room_is_in_the_campus_zone_unless_it_names_its_own(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    create = CreateRoom(uow, clock, campus_zone="Europe/Berlin")

    campus = await create(MANAGER, CreateRoomCommand(name="Oak", building="M", capacity=5))
    own = await create(
        MANAGER,
        CreateRoomCommand(name="Elm", building="M", capacity=5, time_zone="America/New_York"),
    )

    assert store.rooms[campus.id].time_zone == "Europe/Berlin"
    assert store.rooms[own.id].time_zone == "America/New_York"


async def test_an_unknown_zone_is_refused_and_nothing_is_written(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    before = state(store)
    command = CreateRoomCommand(name="Oak", building="M", capacity=5, time_zone="Europe/Atlantis")

    with pytest.raises(InvalidValue) as refused:
        await CreateRoom(uow, clock)(MANAGER, command)

    assert refused.value.field == "time_zone"
    assert state(store) == before


@pytest.mark.parametrize("name", ["Oak", "OAK", "oak", "  oAk "])
async def test_create_room_with_a_taken_name_in_any_case_is_a_conflict_and_writes_nothing(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, name: str
) -> None:
    add_room(store, "Oak")
    before = state(store)

    with pytest.raises(Conflict) as error:
        await CreateRoom(uow, clock)(
            MANAGER, CreateRoomCommand(name=name, building="Main", capacity=5)
        )

    assert error.value.message == "A room with this name already exists."
    assert state(store) == before


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (CreateRoomCommand(name=" ", building="Main", capacity=5), "name"),
        (CreateRoomCommand(name="Oak", building="", capacity=5), "building"),
        (CreateRoomCommand(name="Oak", building="Main", capacity=0), "capacity"),
        (CreateRoomCommand(name="Oak", building="Main", capacity=5, features=["a b"]), "features"),
    ],
)
async def test_create_room_with_an_invalid_value_is_refused_and_writes_nothing(
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    command: CreateRoomCommand,
    field: str,
) -> None:
    with pytest.raises(InvalidValue) as error:
        await CreateRoom(uow, clock)(MANAGER, command)

    assert error.value.field == field
    assert (store.commits, store.rooms) == (0, {})


# --- UpdateRoom ---------------------------------------------------------------------------


async def test_update_room_changes_only_the_fields_given(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak", building="Science", capacity=10, features=frozenset({"audio"}))

    updated = await UpdateRoom(uow, clock)(MANAGER, room.id, UpdateRoomCommand(capacity=40))

    stored = store.rooms[room.id]
    expected = {**asdict(room), "capacity": 40}
    assert asdict(stored) == expected
    assert asdict(updated) == expected
    assert store.commits == 1


async def test_update_room_can_change_every_field_at_once(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak", features=frozenset({"audio"}))
    command = UpdateRoomCommand(
        name="Elm",
        building="Library",
        capacity=3,
        features=["Projector"],
        requires_approval=True,
    )

    await UpdateRoom(uow, clock)(MANAGER, room.id, command)

    stored = store.rooms[room.id]
    assert (stored.name, stored.building, stored.capacity) == ("Elm", "Library", 3)
    assert (stored.features, stored.requires_approval) == (frozenset({"projector"}), True)
    assert store.commits == 1


async def test_update_room_may_keep_its_own_name_in_another_case(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")

    await UpdateRoom(uow, clock)(MANAGER, room.id, UpdateRoomCommand(name="OAK"))

    assert store.rooms[room.id].name == "OAK"
    assert store.commits == 1


async def test_update_room_of_an_unknown_id_is_not_found(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    add_room(store, "Oak")
    before = state(store)

    with pytest.raises(NotFound) as error:
        await UpdateRoom(uow, clock)(MANAGER, uuid4(), UpdateRoomCommand(capacity=3))

    assert error.value.message == "Room not found."
    assert state(store) == before


@pytest.mark.parametrize("name", ["Elm", "elm", "ELM"])
async def test_renaming_a_room_to_a_taken_name_is_a_conflict_and_writes_nothing(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore, name: str
) -> None:
    room = add_room(store, "Oak")
    add_room(store, "Elm")
    before = state(store)

    with pytest.raises(Conflict) as error:
        await UpdateRoom(uow, clock)(MANAGER, room.id, UpdateRoomCommand(name=name, capacity=99))

    assert error.value.message == "A room with this name already exists."
    assert state(store) == before
    assert store.rooms[room.id].name == "Oak"


async def test_update_room_with_an_invalid_value_writes_nothing(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")
    before = state(store)

    with pytest.raises(InvalidValue) as error:
        await UpdateRoom(uow, clock)(MANAGER, room.id, UpdateRoomCommand(name="Elm", capacity=0))

    assert error.value.field == "capacity"
    assert state(store) == before


# --- DeactivateRoom -----------------------------------------------------------------------


async def test_deactivating_a_room_without_bookings_makes_it_inactive(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")

    await DeactivateRoom(uow, clock)(MANAGER, room.id)

    assert store.rooms[room.id].is_active is False
    assert store.commits == 1


async def test_deactivating_leaves_past_and_inactive_bookings_alone(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")
    past = add_booking(store, room, slot(-5, -3))
    just_ended = add_booking(store, room, slot(-1, 0))
    cancelled = add_booking(store, room, slot(2, 3), status=BookingStatus.CANCELLED)
    rejected = add_booking(store, room, slot(4, 5), status=BookingStatus.REJECTED)
    bookings_before = state(store)["bookings"]

    await DeactivateRoom(uow, clock)(MANAGER, room.id)

    assert store.rooms[room.id].is_active is False
    assert state(store)["bookings"] == bookings_before
    assert [store.bookings[b.id].status for b in (past, just_ended, cancelled, rejected)] == [
        BookingStatus.APPROVED,
        BookingStatus.APPROVED,
        BookingStatus.CANCELLED,
        BookingStatus.REJECTED,
    ]
    assert store.commits == 1


async def test_deactivating_a_room_with_upcoming_bookings_is_a_conflict_naming_the_count(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")
    add_booking(store, room, slot(-3, -2))
    add_booking(store, room, slot(1, 2))
    add_booking(store, room, slot(3, 4), status=BookingStatus.PENDING)
    add_booking(store, room, slot(5, 6), status=BookingStatus.CANCELLED)
    before = state(store)

    with pytest.raises(Conflict) as error:
        await DeactivateRoom(uow, clock)(MANAGER, room.id)

    assert error.value.message == (
        "The room has 2 upcoming active booking(s); "
        "deactivate it with cancel_bookings=true to cancel them."
    )
    assert state(store) == before
    assert store.rooms[room.id].is_active is True


async def test_a_booking_in_progress_counts_as_upcoming(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")
    add_booking(store, room, slot(-1, 1))
    before = state(store)

    with pytest.raises(Conflict) as error:
        await DeactivateRoom(uow, clock)(MANAGER, room.id)

    assert error.value.message.startswith("The room has 1 upcoming active booking(s);")
    assert state(store) == before


async def test_deactivating_with_cancel_bookings_cancels_the_upcoming_ones_in_one_commit(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    room = add_room(store, "Oak")
    other_room = add_room(store, "Elm")
    past = add_booking(store, room, slot(-3, -2))
    in_progress = add_booking(store, room, slot(-1, 1))
    approved = add_booking(store, room, slot(2, 3))
    pending = add_booking(store, room, slot(4, 5), status=BookingStatus.PENDING)
    elsewhere = add_booking(store, other_room, slot(2, 3))

    await DeactivateRoom(uow, clock)(MANAGER, room.id, cancel_bookings=True)

    assert store.commits == 1
    assert store.rooms[room.id].is_active is False
    assert store.rooms[other_room.id].is_active is True
    statuses = {key: booking.status for key, booking in store.bookings.items()}
    assert statuses == {
        past.id: BookingStatus.APPROVED,
        in_progress.id: BookingStatus.CANCELLED,
        approved.id: BookingStatus.CANCELLED,
        pending.id: BookingStatus.CANCELLED,
        elsewhere.id: BookingStatus.APPROVED,
    }
    assert store.bookings[approved.id].slot == approved.slot


async def test_deactivating_an_unknown_room_is_not_found(
    uow: UnitOfWorkFactory, clock: FixedClock, store: MemoryStore
) -> None:
    add_room(store, "Oak")
    before = state(store)
    missing: UUID = uuid4()

    with pytest.raises(NotFound) as error:
        await DeactivateRoom(uow, clock)(MANAGER, missing, cancel_bookings=True)

    assert error.value.message == "Room not found."
    assert state(store) == before
