"""The SQL repositories against real databases: every field round-trips, constraints hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.tables import bookings, rooms
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.queries import BookingFilter, PageRequest, RoomFilter, UserFilter
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import AlreadyExists, Unique
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User

CREATED = datetime(2026, 1, 5, 8, 30, 15, 123456, tzinfo=UTC)
NINE = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)

UowFactory = Callable[..., SqlAlchemyUnitOfWork]


def a_user(email: str = "ana@uni.edu", **changes: object) -> User:
    fields: dict[str, object] = {
        "email": email,
        "full_name": "Ana Lima",
        "password_hash": "$2b$04$hash",
        "created_at": CREATED,
        "role": Role.STAFF,
        "is_active": False,
        "token_version": 3,
    }
    return User(**(fields | changes))  # type: ignore[arg-type]


def a_room(name: str = "Lecture Hall A", **changes: object) -> Room:
    fields: dict[str, object] = {
        "name": name,
        "building": "Main",
        "capacity": 40,
        "created_at": CREATED,
        "features": frozenset({"projector", "whiteboard"}),
        "requires_approval": True,
        "is_active": True,
    }
    return Room(**(fields | changes))  # type: ignore[arg-type]


def a_booking(room: Room, requester: User) -> Booking:
    return Booking(
        room_id=room.id,
        requester_id=requester.id,
        slot=TimeSlot(NINE, NINE + timedelta(hours=1)),
        title="Seminar",
        attendees=12,
        status=BookingStatus.PENDING,
        created_at=CREATED,
    )


async def add_all(uow_factory: UowFactory, *entities: User | Room | Booking) -> None:
    async with uow_factory() as uow:
        for entity in entities:
            if isinstance(entity, User):
                await uow.users.add(entity)
            elif isinstance(entity, Room):
                await uow.rooms.add(entity)
            else:
                await uow.bookings.add(entity)
        await uow.commit()


# --- Users --------------------------------------------------------------------------------


async def test_user_round_trips_every_field(uow_factory: UowFactory) -> None:
    user = a_user()
    await add_all(uow_factory, user)

    async with uow_factory(read_only=True) as uow:
        by_id = await uow.users.get(user.id)
        by_email = await uow.users.get_by_email("ana@uni.edu")

    assert by_id is not None
    assert by_email is not None
    assert asdict(by_id) == asdict(user)
    assert asdict(by_email) == asdict(user)
    assert by_id.created_at.tzinfo == UTC


async def test_unknown_user_is_none(uow_factory: UowFactory) -> None:
    await add_all(uow_factory, a_user())

    async with uow_factory(read_only=True) as uow:
        assert await uow.users.get(uuid4()) is None
        assert await uow.users.get_by_email("nobody@uni.edu") is None


async def test_datetime_with_offset_comes_back_as_the_same_instant_in_utc(
    uow_factory: UowFactory,
) -> None:
    india = timezone(timedelta(hours=5, minutes=30))
    user = a_user(created_at=datetime(2026, 3, 1, 9, 15, 30, 123456, tzinfo=india))
    await add_all(uow_factory, user)

    async with uow_factory(read_only=True) as uow:
        loaded = await uow.users.get(user.id)

    assert loaded is not None
    assert loaded.created_at.isoformat() == "2026-03-01T03:45:30.123456+00:00"
    assert loaded.created_at.tzinfo == UTC


async def test_user_save_writes_every_field(uow_factory: UowFactory) -> None:
    user = a_user()
    await add_all(uow_factory, user)
    changed = a_user(
        email="ana.lima@uni.edu",
        full_name="Ana M. Lima",
        password_hash="$2b$04$other",
        created_at=CREATED + timedelta(days=1),
        role=Role.ADMIN,
        is_active=True,
        token_version=4,
        id=user.id,
    )

    async with uow_factory() as uow:
        await uow.users.save(changed)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        loaded = await uow.users.get(user.id)

    assert loaded is not None
    assert asdict(loaded) == asdict(changed)


async def test_duplicate_email_is_a_conflict(uow_factory: UowFactory) -> None:
    await add_all(uow_factory, a_user("ana@uni.edu"))

    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists) as error:
            await uow.users.add(a_user("ana@uni.edu"))

    assert error.value.duplicated is Unique.ACCOUNT_EMAIL


# --- Rooms --------------------------------------------------------------------------------


async def test_room_round_trips_every_field(uow_factory: UowFactory) -> None:
    room = a_room()
    await add_all(uow_factory, room)

    async with uow_factory(read_only=True) as uow:
        loaded = await uow.rooms.get(room.id)
        missing = await uow.rooms.get(uuid4())

    assert loaded is not None
    assert asdict(loaded) == asdict(room)
    assert loaded.features == frozenset({"projector", "whiteboard"})
    assert loaded.created_at.tzinfo == UTC
    assert missing is None


@pytest.mark.parametrize("features", [frozenset({"hdmi", "projector"}), frozenset()])
async def test_room_save_writes_fields_and_replaces_features(
    uow_factory: UowFactory, features: frozenset[str]
) -> None:
    room = a_room()
    await add_all(uow_factory, room)
    changed = a_room(
        name="Lecture Hall B",
        building="Annex",
        capacity=80,
        features=features,
        requires_approval=False,
        is_active=False,
        id=room.id,
    )

    async with uow_factory() as uow:
        await uow.rooms.save(changed)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        loaded = await uow.rooms.get(room.id)

    assert loaded is not None
    assert asdict(loaded) == asdict(changed)
    assert loaded.features == features


async def test_room_name_in_another_letter_case_is_a_conflict(uow_factory: UowFactory) -> None:
    await add_all(uow_factory, a_room("Lecture Hall A"))

    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists) as error:
            await uow.rooms.add(a_room("LECTURE hall a"))

    assert error.value.duplicated is Unique.ROOM_NAME


async def test_renaming_a_room_to_a_taken_name_is_a_conflict(uow_factory: UowFactory) -> None:
    other = a_room("Lecture Hall B")
    await add_all(uow_factory, a_room("Lecture Hall A"), other)

    async with uow_factory() as uow:
        with pytest.raises(AlreadyExists) as error:
            await uow.rooms.save(replace(other, name="Lecture Hall A"))

    assert error.value.duplicated is Unique.ROOM_NAME


# --- Bookings -----------------------------------------------------------------------------


async def test_booking_round_trips_every_field(uow_factory: UowFactory) -> None:
    user, room = a_user(), a_room()
    booking = a_booking(room, user)
    await add_all(uow_factory, user, room, booking)

    async with uow_factory(read_only=True) as uow:
        loaded = await uow.bookings.get(booking.id)
        missing = await uow.bookings.get(uuid4())

    assert loaded is not None
    assert asdict(loaded) == asdict(booking)
    assert loaded.slot.start.tzinfo == UTC
    assert loaded.slot.end.tzinfo == UTC
    assert missing is None


async def test_booking_save_writes_decision_and_slot(uow_factory: UowFactory) -> None:
    user, admin, room = a_user(), a_user("admin@uni.edu", role=Role.ADMIN), a_room()
    booking = a_booking(room, user)
    await add_all(uow_factory, user, admin, room, booking)
    booking.approve(by=admin.id, at=NINE - timedelta(days=1), reason="Fine by me")
    booking.slot = TimeSlot(NINE + timedelta(hours=2), NINE + timedelta(hours=4))

    async with uow_factory() as uow:
        await uow.bookings.save(booking)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        loaded = await uow.bookings.get(booking.id)

    assert loaded is not None
    assert loaded.status is BookingStatus.APPROVED
    assert loaded.decided_by == admin.id
    assert loaded.decided_at == datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    assert loaded.decision_reason == "Fine by me"
    assert loaded.slot == TimeSlot(
        datetime(2026, 2, 2, 11, 0, tzinfo=UTC), datetime(2026, 2, 2, 13, 0, tzinfo=UTC)
    )
    assert asdict(loaded) == asdict(booking)


# --- Constraints in the database itself ---------------------------------------------------


def booking_values(room: Room, user: User, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "id": uuid4(),
        "room_id": room.id,
        "requester_id": user.id,
        "starts_at": NINE,
        "ends_at": NINE + timedelta(hours=1),
        "title": "Raw",
        "attendees": 5,
        "status": "PENDING",
        "created_at": CREATED,
    }
    return values | changes


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        pytest.param({"ends_at": NINE}, "ck_bookings_slot_order", id="starts_at-equals-ends_at"),
        pytest.param(
            {"ends_at": NINE - timedelta(minutes=1)},
            "ck_bookings_slot_order",
            id="starts_at-after-ends_at",
        ),
        pytest.param({"attendees": 0}, "ck_bookings_attendees", id="no-attendees"),
        pytest.param({"room_id": uuid4()}, "(?i)foreign key constraint", id="unknown-room"),
    ],
)
async def test_database_refuses_invalid_booking(
    uow_factory: UowFactory, database_url: str, changes: dict[str, object], error: str
) -> None:
    user, room = a_user(), a_room()
    await add_all(uow_factory, user, room)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            # The same values on another day are accepted: only `changes` can be refused.
            day_before = {"starts_at": NINE - DAY, "ends_at": NINE - DAY + timedelta(hours=1)}
            await connection.execute(
                insert(bookings).values(booking_values(room, user, **day_before))
            )
            with pytest.raises(IntegrityError, match=error):
                await connection.execute(
                    insert(bookings).values(booking_values(room, user, **changes))
                )
    finally:
        await engine.dispose()


async def test_database_refuses_room_without_capacity(database_url: str) -> None:
    values = {
        "id": uuid4(),
        "name": "Broom cupboard",
        "building": "Main",
        "capacity": 0,
        "requires_approval": False,
        "is_active": True,
        "created_at": CREATED,
        "time_zone": "UTC",
    }
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            with pytest.raises(IntegrityError, match="ck_rooms_capacity"):
                await connection.execute(insert(rooms).values(values))
    finally:
        await engine.dispose()


# --- Paging -------------------------------------------------------------------------------


async def test_searches_page_in_order_with_the_total_of_all_matches(
    uow_factory: UowFactory,
) -> None:
    """The total rides on the page's rows; a page past the end still knows it."""
    people = [a_user(f"user{n}@uni.edu") for n in range(5)]
    places = [a_room(f"Room {n}", features=frozenset({"hdmi"})) for n in range(5)]
    slots = [
        Booking(
            room_id=places[0].id,
            requester_id=people[0].id,
            slot=TimeSlot(NINE + n * DAY, NINE + n * DAY + timedelta(hours=1)),
            title="Seminar",
            attendees=3,
            status=BookingStatus.APPROVED,
            created_at=CREATED,
        )
        for n in range(5)
    ]
    await add_all(uow_factory, *people, *places, *slots)

    async with uow_factory(read_only=True) as uow:
        pages = {
            "users": [
                await uow.users.search(UserFilter(text="@uni.edu"), PageRequest(2, offset))
                for offset in (0, 4, 9)
            ],
            "rooms": [
                await uow.rooms.search(RoomFilter(features=frozenset({"hdmi"})), PageRequest(2, o))
                for o in (0, 4, 9)
            ],
            "bookings": [
                await uow.bookings.search(BookingFilter(room_id=places[0].id), PageRequest(2, o))
                for o in (0, 4, 9)
            ],
        }

    assert [p.items for p in pages["users"]] == [people[:2], people[4:], []]
    assert [p.items for p in pages["rooms"]] == [places[:2], places[4:], []]
    assert [[b.id for b in p.items] for p in pages["bookings"]] == [
        [slots[0].id, slots[1].id],
        [slots[4].id],
        [],
    ]
    for kind, found in pages.items():
        assert [page.total for page in found] == [5, 5, 5], kind
