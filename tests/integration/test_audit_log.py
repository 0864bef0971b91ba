"""The audit_log table on SQLite and PostgreSQL: written with its change, rolled back with it.

Rows are read straight from the table, past the repository, so that what is checked is what
the database holds. Use-cases run on SQLAlchemy units of work with a fixed clock.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Self
from uuid import UUID, uuid4

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.tables import audit_log
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.audit import ListAuditEntries
from campus_booking.application.auth import (
    CreateAdmin,
    CreateAdminCommand,
    RegisterUser,
    RegisterUserCommand,
)
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
)
from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.application.throttling import RegistrationThrottle
from campus_booking.application.users import ChangeUser, ChangeUserCommand
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import Conflict, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User
from tests.doubles import BlindOverlapCheck

UowFactory = Callable[..., SqlAlchemyUnitOfWork]

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
EARLIER = NOW - timedelta(days=30)
RULES = BookingRules(max_duration=timedelta(hours=8))
PASSWORD = "correct horse battery"
UNICODE = 'Café ☕ 会议室 — naïve "quoted" \\ back\nslash 🎓'
NAME = "Zoë O'Brien-Ñúñez 张伟 🎓"  # a full name keeps no line breaks: `UNICODE` would be cleaned


def sign_up_throttle(clock: FixedClock) -> RegistrationThrottle:
    """Generous: these tests are about what a sign-up writes, not how often one may."""
    return RegistrationThrottle(
        MemoryFailureCounter(window_seconds=300, clock=clock), per_client=1000
    )


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


class FakeHasher:
    async def hash(self, password: str) -> str:
        return "hashed:" + password

    async def verify(self, password: str, password_hash: str | None) -> bool:
        return password_hash == "hashed:" + password


def a_user(name: str, role: Role = Role.STUDENT) -> User:
    return User(
        email=f"{name}@uni.edu",
        full_name=name.title(),
        password_hash="$2b$04$unused",
        created_at=EARLIER,
        role=role,
    )


def a_room(name: str = "Oak", *, requires_approval: bool = False) -> Room:
    return Room(
        name=name,
        building="Main",
        capacity=10,
        created_at=EARLIER,
        features=frozenset({"projector"}),
        requires_approval=requires_approval,
    )


def a_booking(
    room: Room,
    requester: User,
    start: float,
    end: float,
    status: BookingStatus = BookingStatus.APPROVED,
) -> Booking:
    return Booking(
        room_id=room.id,
        requester_id=requester.id,
        slot=TimeSlot(at(start), at(end)),
        title="Seminar",
        attendees=4,
        status=status,
        created_at=EARLIER,
    )


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> UowFactory:
    return lambda **options: SqlAlchemyUnitOfWork(engine, **options)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def seed(uow: UowFactory, *things: User | Room | Booking) -> None:
    """Stores `things` as they are, past the use-cases, so no audit row is written for them."""
    async with uow() as work:
        for thing in things:
            if isinstance(thing, User):
                await work.users.add(thing)
            elif isinstance(thing, Room):
                await work.rooms.add(thing)
            else:
                await work.bookings.add(thing)
        await work.commit()


def row_key(row: dict[str, Any]) -> tuple[datetime, str, str]:
    return row["occurred_at"], row["entity"], str(row["entity_id"])


async def audit_rows(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Every row of audit_log, read with plain SQL, without its id, in a fixed order."""
    async with engine.connect() as connection:
        result = await connection.execute(select(audit_log))
        rows = [dict(row) for row in result.mappings()]
    for row in rows:
        del row["id"]
    return sorted(rows, key=row_key)


async def audit_count(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        count = await connection.scalar(select(func.count()).select_from(audit_log))
    return int(count or 0)


def row(
    entity: Entity,
    entity_id: UUID,
    action: Action,
    actor: User | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    when: datetime = NOW,
) -> dict[str, Any]:
    """An expected row of audit_log, without its id."""
    return {
        "occurred_at": when,
        "actor_id": actor.id if actor else None,
        "entity": entity.value,
        "entity_id": entity_id,
        "action": action.value,
        "before": before,
        "after": after,
    }


# --- committed changes --------------------------------------------------------------------


async def test_sign_up_and_the_admin_bootstrap_leave_their_rows(
    uow: UowFactory, engine: AsyncEngine, clock: FixedClock
) -> None:
    """A sign-up's actor is the account its own transaction creates: the foreign key holds."""
    ana = await RegisterUser(uow, FakeHasher(), clock, sign_up_throttle(clock))(
        RegisterUserCommand(
            email="ana@uni.edu", password=PASSWORD, full_name=NAME, client="192.0.2.1"
        )
    )
    clock.advance(timedelta(seconds=1))
    root = await CreateAdmin(uow, FakeHasher(), clock)(
        CreateAdminCommand(email="root@uni.edu", password=PASSWORD, full_name="Root")
    )

    assert await audit_rows(engine) == [
        row(
            Entity.USER,
            ana.id,
            Action.CREATED,
            ana,
            None,
            {"email": "ana@uni.edu", "full_name": NAME, "role": "STUDENT", "is_active": True},
        ),
        row(
            Entity.USER,
            root.id,
            Action.CREATED,
            None,
            None,
            {"email": "root@uni.edu", "full_name": "Root", "role": "ADMIN", "is_active": True},
            NOW + timedelta(seconds=1),
        ),
    ]


async def test_each_committed_change_leaves_exactly_its_row(
    uow: UowFactory, engine: AsyncEngine, clock: FixedClock
) -> None:
    admin, staff, student = a_user("root", Role.ADMIN), a_user("sam", Role.STAFF), a_user("stu")
    await seed(uow, admin, staff, student)
    minute = timedelta(minutes=1)

    room = await CreateRoom(uow, clock)(
        staff,
        CreateRoomCommand(name="Lab", building="Main", capacity=5, requires_approval=True),
    )
    clock.advance(minute)
    await UpdateRoom(uow, clock)(staff, room.id, UpdateRoomCommand(capacity=6, features=["a"]))
    clock.advance(minute)
    booking = await CreateBooking(uow, clock, RULES)(
        student, CreateBookingCommand(room.id, at(2), at(3), "Study", 3)
    )
    clock.advance(minute)
    await ChangeBooking(uow, clock, RULES)(
        student, booking.id, ChangeBookingCommand(title="Exam prep")
    )
    clock.advance(minute)
    await DecideBooking(uow, clock).approve(staff, booking.id, "Enjoy")
    clock.advance(minute)
    await CancelBooking(uow, clock)(student, booking.id)
    clock.advance(minute)
    await ChangeUser(uow, clock)(admin, student.id, ChangeUserCommand(is_active=False))

    booking_after = {
        "room_id": str(room.id),
        "requester_id": str(student.id),
        "starts_at": "2030-01-01T10:00:00+00:00",
        "ends_at": "2030-01-01T11:00:00+00:00",
        "title": "Study",
        "attendees": 3,
        "status": "PENDING",
        "decided_by": None,
        "decision_reason": None,
    }
    room_after = {
        "name": "Lab",
        "building": "Main",
        "capacity": 5,
        "features": [],
        "requires_approval": True,
        "is_active": True,
        "time_zone": "UTC",
        "policy_id": None,
    }
    assert await audit_rows(engine) == [
        row(Entity.ROOM, room.id, Action.CREATED, staff, None, room_after),
        row(
            Entity.ROOM,
            room.id,
            Action.CHANGED,
            staff,
            {"capacity": 5, "features": []},
            {"capacity": 6, "features": ["a"]},
            NOW + minute,
        ),
        row(
            Entity.BOOKING,
            booking.id,
            Action.CREATED,
            student,
            None,
            booking_after,
            NOW + 2 * minute,
        ),
        row(
            Entity.BOOKING,
            booking.id,
            Action.CHANGED,
            student,
            {"title": "Study"},
            {"title": "Exam prep"},
            NOW + 3 * minute,
        ),
        row(
            Entity.BOOKING,
            booking.id,
            Action.APPROVED,
            staff,
            {"status": "PENDING", "decided_by": None, "decision_reason": None},
            {"status": "APPROVED", "decided_by": str(staff.id), "decision_reason": "Enjoy"},
            NOW + 4 * minute,
        ),
        row(
            Entity.BOOKING,
            booking.id,
            Action.CANCELLED,
            student,
            {"status": "APPROVED"},
            {"status": "CANCELLED"},
            NOW + 5 * minute,
        ),
        row(
            Entity.USER,
            student.id,
            Action.CHANGED,
            admin,
            {"is_active": True},
            {"is_active": False},
            NOW + 6 * minute,
        ),
    ]


async def test_deactivating_with_cancel_bookings_leaves_one_row_for_the_room_and_each_booking(
    uow: UowFactory, engine: AsyncEngine, clock: FixedClock
) -> None:
    admin, student, room = a_user("root", Role.ADMIN), a_user("stu"), a_room()
    past = a_booking(room, student, -3, -2)
    upcoming = a_booking(room, student, 1, 2)
    pending = a_booking(room, student, 3, 4, BookingStatus.PENDING)
    await seed(uow, admin, student, room, past, upcoming, pending)

    await DeactivateRoom(uow, clock)(admin, room.id, cancel_bookings=True)

    expected = [
        row(
            Entity.ROOM,
            room.id,
            Action.DEACTIVATED,
            admin,
            {"is_active": True},
            {"is_active": False},
        ),
        row(
            Entity.BOOKING,
            upcoming.id,
            Action.CANCELLED,
            admin,
            {"status": "APPROVED"},
            {"status": "CANCELLED"},
        ),
        row(
            Entity.BOOKING,
            pending.id,
            Action.CANCELLED,
            admin,
            {"status": "PENDING"},
            {"status": "CANCELLED"},
        ),
    ]
    assert await audit_rows(engine) == sorted(expected, key=row_key)


async def test_a_no_op_change_leaves_no_row(
    uow: UowFactory, engine: AsyncEngine, clock: FixedClock
) -> None:
    staff, room = a_user("sam", Role.STAFF), a_room()
    await seed(uow, staff, room)

    await UpdateRoom(uow, clock)(staff, room.id, UpdateRoomCommand(name="Oak", capacity=10))

    assert await audit_count(engine) == 0


# --- rolled-back changes ------------------------------------------------------------------


def an_entry(actor_id: UUID | None = None, when: datetime = NOW) -> AuditEntry:
    return AuditEntry(
        at=when,
        actor_id=actor_id,
        entity=Entity.ROOM,
        entity_id=uuid4(),
        action=Action.CHANGED,
        before={"capacity": 1},
        after={"capacity": 2},
    )


async def test_an_entry_added_without_commit_is_rolled_back(
    uow: UowFactory, engine: AsyncEngine
) -> None:
    async with uow() as work:
        await work.audit.add(an_entry())
        page = await work.audit.search(AuditFilter(), PageRequest())
        assert page.total == 1  # there inside the transaction

    assert await audit_count(engine) == 0


async def test_an_entry_added_before_an_error_is_rolled_back_with_the_change(
    uow: UowFactory, engine: AsyncEngine
) -> None:
    room = a_room()

    async def change_then_fail() -> None:
        async with uow() as work:
            await work.rooms.add(room)
            await work.audit.add(an_entry())
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await change_then_fail()

    assert await audit_count(engine) == 0
    async with uow(read_only=True) as work:
        assert await work.rooms.get(room.id) is None


async def test_a_deactivation_refused_after_its_row_was_written_leaves_no_row(
    uow: UowFactory, engine: AsyncEngine, clock: FixedClock
) -> None:
    """DeactivateRoom writes the room's row, then counts the bookings and raises: no row."""
    admin, student, room = a_user("root", Role.ADMIN), a_user("stu"), a_room()
    upcoming = a_booking(room, student, 1, 2)
    await seed(uow, admin, student, room, upcoming)

    with pytest.raises(Conflict) as error:
        await DeactivateRoom(uow, clock)(admin, room.id)

    assert error.value.message.startswith("The room has 1 upcoming active booking(s);")
    assert await audit_count(engine) == 0
    async with uow(read_only=True) as work:
        stored_room = await work.rooms.get(room.id)
        stored_booking = await work.bookings.get(upcoming.id)
    assert stored_room is not None
    assert stored_room.is_active is True
    assert stored_booking is not None
    assert stored_booking.status is BookingStatus.APPROVED


class BlindUnitOfWork(SqlAlchemyUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.bookings = BlindOverlapCheck(self.bookings)  # type: ignore[assignment]
        return self


async def test_a_change_refused_by_the_database_overlap_guard_leaves_no_row(
    engine: AsyncEngine, uow: UowFactory
) -> None:
    student, staff, room = a_user("stu"), a_user("sam", Role.STAFF), a_room()
    mine = a_booking(room, student, 2, 3)
    theirs = a_booking(room, staff, 4, 5)
    await seed(uow, student, staff, room, mine, theirs)

    def blind(*, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        if read_only:
            return SqlAlchemyUnitOfWork(engine, read_only=True)
        return BlindUnitOfWork(engine)

    with pytest.raises(SlotTaken) as error:
        await ChangeBooking(blind, FixedClock(NOW), RULES)(
            student, mine.id, ChangeBookingCommand(ends_at=at(4.5), title="Longer")
        )

    assert error.value.conflicts == [(at(4), at(5))]
    assert isinstance(error.value.__cause__, SlotTaken)  # the database refused, not the check
    assert await audit_count(engine) == 0
    async with uow(read_only=True) as work:
        stored = await work.bookings.get(mine.id)
    assert stored is not None
    assert (stored.slot, stored.title) == (TimeSlot(at(2), at(3)), "Seminar")


# --- values stored as JSON ----------------------------------------------------------------


async def test_before_and_after_round_trip_exactly(uow: UowFactory, engine: AsyncEngine) -> None:
    before = {
        "features": ["audio", "wheelchair-access"],
        "empty": [],
        "requires_approval": False,
        "is_active": True,
        "decided_by": None,
        "capacity": 0,
        "large": 2**40,
        "title": UNICODE,
    }
    after = {"features": ["ñandú", "日本"], "is_active": False, "capacity": -1, "title": ""}
    entry = AuditEntry(
        at=NOW,
        actor_id=None,
        entity=Entity.BOOKING,
        entity_id=uuid4(),
        action=Action.CHANGED,
        before=before,  # type: ignore[arg-type]
        after=after,  # type: ignore[arg-type]
    )
    async with uow() as work:
        await work.audit.add(entry)
        await work.commit()

    (stored,) = await audit_rows(engine)
    async with uow(read_only=True) as work:
        (found,) = (await work.audit.search(AuditFilter(), PageRequest())).items

    assert (stored["before"], stored["after"]) == (before, after)
    assert found == entry
    for value in (stored["before"], found.before):
        assert value is not None
        assert value["requires_approval"] is False
        assert value["is_active"] is True
        assert type(value["capacity"]) is int
        assert list(value) == list(before)  # keys keep their order


async def test_an_entry_comes_back_with_its_enums_ids_and_time_in_utc(
    uow: UowFactory, engine: AsyncEngine
) -> None:
    actor = a_user("ana")
    await seed(uow, actor)
    when = datetime(2030, 1, 1, 10, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    entry = an_entry(actor.id, when)
    async with uow() as work:
        await work.audit.add(entry)
        await work.commit()

    async with uow(read_only=True) as work:
        (found,) = (await work.audit.search(AuditFilter(), PageRequest())).items

    assert found == entry
    assert found.at == datetime(2030, 1, 1, 8, 0, 0, 123456, tzinfo=UTC)
    assert found.at.utcoffset() == timedelta(0)
    assert (found.entity, found.action) == (Entity.ROOM, Action.CHANGED)
    assert (found.id, found.actor_id, found.entity_id) == (entry.id, actor.id, entry.entity_id)


async def test_a_creation_stores_before_as_sql_null(
    uow: UowFactory, engine: AsyncEngine, clock: FixedClock
) -> None:
    staff = a_user("sam", Role.STAFF)
    await seed(uow, staff)
    await CreateRoom(uow, clock)(staff, CreateRoomCommand(name="Lab", building="M", capacity=1))

    async with engine.connect() as connection:
        creations = await connection.scalar(
            select(func.count()).select_from(audit_log).where(audit_log.c.before.is_(None))
        )

    assert creations == 1


# --- searching ----------------------------------------------------------------------------


ROOM_A = UUID("00000000-0000-4000-8000-0000000000a1")
BOOKING_A = UUID("00000000-0000-4000-8000-0000000000b1")


def logged(
    minutes: int,
    entity: Entity,
    entity_id: UUID,
    actor: User | None,
    name: str,
    microseconds: int = 0,
) -> AuditEntry:
    """An entry at NOW + `minutes`; `name` in `after` tells entries apart in assertions."""
    return AuditEntry(
        at=NOW + timedelta(minutes=minutes, microseconds=microseconds),
        actor_id=actor.id if actor else None,
        entity=entity,
        entity_id=entity_id,
        action=Action.CHANGED,
        before=None,
        after={"name": name},
    )


ANA, BEN = a_user("ana"), a_user("ben")


@pytest.fixture
async def logbook(uow: UowFactory) -> None:
    """Six entries, written out of time order; one a microsecond after a whole minute."""
    await seed(uow, ANA, BEN)
    async with uow() as work:
        for entry in (
            logged(20, Entity.ROOM, ROOM_A, ANA, "room-20"),
            logged(0, Entity.USER, ANA.id, None, "user-0"),
            logged(40, Entity.BOOKING, BOOKING_A, BEN, "booking-40"),
            logged(10, Entity.BOOKING, BOOKING_A, ANA, "booking-10", microseconds=1),
            logged(50, Entity.ROOM, ROOM_A, BEN, "room-50"),
            logged(30, Entity.BOOKING, uuid4(), ANA, "other-booking-30"),
        ):
            await work.audit.add(entry)
        await work.commit()


async def search(uow: UowFactory, audit_filter: AuditFilter, page: PageRequest) -> Any:
    async with uow(read_only=True) as work:
        return await work.audit.search(audit_filter, page)


def names(entries: list[AuditEntry]) -> list[Any]:
    return [e.after["name"] if e.after else None for e in entries]


def minutes(value: int, zone: timezone = UTC) -> datetime:
    return (NOW + timedelta(minutes=value)).astimezone(zone)


MICROSECOND = timedelta(microseconds=1)


@pytest.mark.parametrize(
    ("audit_filter", "expected"),
    [
        (
            AuditFilter(),
            ["room-50", "booking-40", "other-booking-30", "room-20", "booking-10", "user-0"],
        ),
        (AuditFilter(entity=Entity.ROOM), ["room-50", "room-20"]),
        (AuditFilter(entity=Entity.USER), ["user-0"]),
        (AuditFilter(entity_id=BOOKING_A), ["booking-40", "booking-10"]),
        (AuditFilter(actor_id=ANA.id), ["other-booking-30", "room-20", "booking-10"]),
        (AuditFilter(actor_id=BEN.id, entity=Entity.ROOM), ["room-50"]),
        (AuditFilter(entity=Entity.USER, entity_id=BOOKING_A), []),
        (
            AuditFilter(since=minutes(20)),
            ["room-50", "booking-40", "other-booking-30", "room-20"],
        ),
        (AuditFilter(until=minutes(20)), ["booking-10", "user-0"]),
        (
            AuditFilter(since=minutes(20, timezone(timedelta(hours=-5)))),
            ["room-50", "booking-40", "other-booking-30", "room-20"],
        ),
        (
            AuditFilter(since=minutes(10) + MICROSECOND, until=minutes(40)),
            ["other-booking-30", "room-20", "booking-10"],
        ),
        (AuditFilter(since=minutes(10) + 2 * MICROSECOND, until=minutes(30)), ["room-20"]),
        (AuditFilter(until=minutes(10) + MICROSECOND), ["user-0"]),
    ],
    ids=[
        "all-newest-first",
        "entity-room",
        "entity-user",
        "entity-id",
        "actor",
        "actor-and-entity",
        "contradiction",
        "since-is-inclusive",
        "until-is-exclusive",
        "since-in-another-zone",
        "since-inclusive-to-the-microsecond",
        "since-a-microsecond-late",
        "until-exclusive-to-the-microsecond",
    ],
)
async def test_search_filters_and_orders_newest_first(
    uow: UowFactory, logbook: None, audit_filter: AuditFilter, expected: list[str]
) -> None:
    page = await search(uow, audit_filter, PageRequest())

    assert names(page.items) == expected
    assert (page.total, page.limit, page.offset) == (len(expected), 50, 0)


async def test_search_pages_with_the_total_of_all_matches(uow: UowFactory, logbook: None) -> None:
    wanted = AuditFilter(since=minutes(5))

    first = await search(uow, wanted, PageRequest(limit=2, offset=0))
    middle = await search(uow, wanted, PageRequest(limit=2, offset=2))
    last = await search(uow, wanted, PageRequest(limit=2, offset=4))
    beyond = await search(uow, wanted, PageRequest(limit=2, offset=9))

    assert (names(first.items), first.total) == (["room-50", "booking-40"], 5)
    assert (names(middle.items), middle.total) == (["other-booking-30", "room-20"], 5)
    assert (names(last.items), last.total, last.offset) == (["booking-10"], 5, 4)
    assert (beyond.items, beyond.total, beyond.limit) == ([], 5, 2)


async def test_entries_of_one_instant_page_through_without_repeats_or_gaps(
    uow: UowFactory,
) -> None:
    """A transaction's entries share their time; paging must still visit each exactly once."""
    written = [an_entry() for _ in range(7)]
    async with uow() as work:
        for entry in written:
            await work.audit.add(entry)
        await work.commit()

    pages = [await search(uow, AuditFilter(), PageRequest(limit=3, offset=o)) for o in (0, 3, 6)]
    whole = await search(uow, AuditFilter(), PageRequest(limit=50))

    paged = [entry.id for page in pages for entry in page.items]
    assert paged == [entry.id for entry in whole.items]
    assert sorted(paged) == sorted(entry.id for entry in written)
    assert [page.total for page in pages] == [7, 7, 7]


async def test_list_audit_entries_reads_the_database_for_an_admin(
    uow: UowFactory, logbook: None
) -> None:
    admin = a_user("root", Role.ADMIN)

    page = await ListAuditEntries(uow)(admin, AuditFilter(entity=Entity.ROOM), PageRequest())

    assert names(page.items) == ["room-50", "room-20"]
    assert [e.actor_id for e in page.items] == [BEN.id, ANA.id]
