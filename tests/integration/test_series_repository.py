"""Booking series and their occurrences, stored: on SQLite, PostgreSQL and the memory fakes.

The use-case tests run on the memory fakes, so the behaviour tests here run on them too: a
series round-trips whole, listings page newest first, a series' occurrences are written all
or none (the database's guards refuse them whole) and read back in order. What only a
database has (one statement per batch, row locks) is tested on the databases alone.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta, timezone
from functools import partial
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.repositories.bookings import OF_SERIES_LOCKED
from campus_booking.adapters.database.repositories.series import SERIES_BY_ID_LOCKED
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.queries import PageRequest, SeriesFilter
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.errors import SlotTaken, Violation
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import Blocked, BookingSeries
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User
from tests.integration import three_backends
from tests.integration.three_backends import (
    NOW,
    UowFactory,
    a_room,
    a_user,
    counting_statements,
)

# Tuesdays 10:00-11:30 in Berlin: 09:00Z in March, 08:00Z once summer time starts (28 March).
FIRST = TimeSlot(datetime(2027, 3, 2, 9, tzinfo=UTC), datetime(2027, 3, 2, 10, 30, tzinfo=UTC))
WEEK = timedelta(weeks=1)
HOUR = timedelta(hours=1)
BERLIN = timezone(timedelta(hours=1))

engine = three_backends.engine
backend = three_backends.backend
uow_factory = three_backends.uow_factory
sql_uow_factory = three_backends.sql_uow_factory


# --- Builders -----------------------------------------------------------------------------


def a_series(room: Room, requester: User, **changes: Any) -> BookingSeries:
    fields: dict[str, Any] = {
        "room_id": room.id,
        "requester_id": requester.id,
        "title": "Reading group",
        "attendees": 8,
        "time_zone": "Europe/Berlin",
        "recurrence": Recurrence.parse("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270430"),
        "exdates": (date(2027, 3, 16),),
        "first": FIRST,
        "created_at": NOW,
    }
    return BookingSeries(**(fields | changes))


def an_occurrence(
    series: BookingSeries,
    start: datetime,
    *,
    status: BookingStatus = BookingStatus.APPROVED,
    length: timedelta = timedelta(minutes=90),
) -> Booking:
    booking = Booking.request(
        room_id=series.room_id,
        requester_id=series.requester_id,
        slot=TimeSlot(start, start + length),
        title=series.title,
        attendees=series.attendees,
        needs_approval=status is BookingStatus.PENDING,
        now=NOW,
        series_id=series.id,
    )
    booking.status = status
    return booking


def a_booking(
    room: Room,
    requester: User,
    start: datetime,
    end: datetime,
    status: BookingStatus = BookingStatus.APPROVED,
) -> Booking:
    booking = Booking.request(
        room_id=room.id,
        requester_id=requester.id,
        slot=TimeSlot(start, end),
        title="Seminar",
        attendees=4,
        needs_approval=False,
        now=NOW,
    )
    booking.status = status
    return booking


async def seed(uow_factory: UowFactory, *things: object) -> None:
    """Stores users, rooms, series, closures and bookings (one at a time), in one commit."""
    async with uow_factory() as uow:
        for thing in things:
            if isinstance(thing, User):
                await uow.users.add(thing)
            elif isinstance(thing, Room):
                await uow.rooms.add(thing)
            elif isinstance(thing, BookingSeries):
                await uow.series.add(thing)
            elif isinstance(thing, Closure):
                await uow.closures.add(thing)
            else:
                assert isinstance(thing, Booking)
                await uow.bookings.add(thing)
        await uow.commit()


def state(entity: Booking | BookingSeries) -> dict[str, Any]:
    """Every field but the events, which a stored row does not hold."""
    fields = asdict(entity)
    del fields["events"]
    return fields


async def occurrences(uow_factory: UowFactory, *series: BookingSeries) -> list[Booking]:
    async with uow_factory(read_only=True) as uow:
        return await uow.bookings.of_series([s.id for s in series])


# --- The series itself ----------------------------------------------------------------------

SKIPPED = [
    Blocked(
        slot=TimeSlot(FIRST.start + WEEK, FIRST.end + WEEK),
        # Times given in another offset come back as the same instants, in UTC.
        conflicts=(
            (datetime(2027, 3, 9, 10, 30, tzinfo=BERLIN), datetime(2027, 3, 9, 12, tzinfo=BERLIN)),
        ),
        closures=(
            (
                datetime(2027, 3, 9, tzinfo=UTC),
                datetime(2027, 3, 10, tzinfo=UTC),
                "Renovierung: Böden",  # kept as written, not escaped
            ),
        ),
        violations=(
            Violation(
                code="max_minutes_per_week",
                field="ends_at",
                message="Over the weekly quota.",
                details={"limit": 120, "actual": 180, "unit": "minutes"},
            ),
            Violation(code="min_notice", field="starts_at", message="Too soon."),
        ),
    ),
    Blocked(slot=TimeSlot(FIRST.start + 3 * WEEK, FIRST.end + 3 * WEEK)),  # why: nothing kept
]


async def test_a_series_round_trips_with_its_exdates_and_skipped_occurrences(
    uow_factory: UowFactory, backend: str
) -> None:
    room, ana = a_room(), a_user()
    series = BookingSeries.create(
        room_id=room.id,
        requester_id=ana.id,
        title="Reading group",
        attendees=8,
        time_zone="Europe/Berlin",
        recurrence=Recurrence.parse(
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270430T220000Z"
        ),
        exdates=[date(2027, 4, 13), date(2027, 3, 16)],
        first=FIRST,
        skipped=SKIPPED,
        now=NOW,
    )
    await seed(uow_factory, room, ana, series)

    async with uow_factory(read_only=True) as uow:
        loaded = await uow.series.get(series.id)
        assert await uow.series.get(uuid4()) is None

    assert loaded is not None
    assert state(loaded) == state(series)
    assert str(loaded.recurrence) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;UNTIL=20270430T220000Z"
    assert loaded.exdates == (date(2027, 3, 16), date(2027, 4, 13))
    blocked = loaded.skipped[0]
    assert blocked.conflicts == (
        (datetime(2027, 3, 9, 9, 30, tzinfo=UTC), datetime(2027, 3, 9, 11, tzinfo=UTC)),
    )
    instants = [
        blocked.slot.start,
        *blocked.conflicts[0],
        *blocked.closures[0][:2],
        loaded.first.start,
        loaded.created_at,
    ]
    if backend != "memory":  # the fakes keep what they are given, the same instants
        assert {instant.tzinfo for instant in instants} == {UTC}
    assert blocked.violations[0].details == {"limit": 120, "actual": 180, "unit": "minutes"}
    assert loaded.skipped[1] == SKIPPED[1]


async def test_a_saved_series_writes_back_every_field(uow_factory: UowFactory) -> None:
    room, ana = a_room(), a_user()
    series = a_series(room, ana, skipped=SKIPPED)
    await seed(uow_factory, room, ana, series)

    async with uow_factory() as uow:
        loaded = await uow.series.get(series.id, lock=True)
        assert loaded is not None
        later = TimeSlot(FIRST.start + HOUR, FIRST.end + HOUR)
        loaded.change(
            title="Book club", attendees=12, first=later, skipped=SKIPPED[1:], by=ana.id, at=NOW
        )
        await uow.series.save(loaded)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        reloaded = await uow.series.get(series.id)

    assert reloaded is not None
    assert state(reloaded) == state(loaded)
    assert (reloaded.title, reloaded.attendees, reloaded.first) == ("Book club", 12, later)
    assert reloaded.skipped == SKIPPED[1:]


async def test_series_are_listed_newest_first_by_requester_and_room_a_page_at_a_time(
    uow_factory: UowFactory,
) -> None:
    oak, elm = a_room("Oak"), a_room("Elm")
    ana, bob = a_user("ana@uni.example"), a_user("bob@uni.example")
    owners = [(oak, ana), (elm, ana), (oak, bob), (oak, ana), (elm, bob)]
    made = [
        a_series(room, owner, created_at=NOW + n * HOUR) for n, (room, owner) in enumerate(owners)
    ]
    # Two made at the same instant: the greater id first.
    twins = sorted(
        (a_series(oak, ana, created_at=NOW + 10 * HOUR) for _ in range(2)),
        key=lambda s: str(s.id),
        reverse=True,
    )
    await seed(uow_factory, oak, elm, ana, bob, *made, *twins)
    newest_first = [*twins, *reversed(made)]

    async def listed(
        filter: SeriesFilter, limit: int = 50, offset: int = 0
    ) -> tuple[list[UUID], int]:
        async with uow_factory(read_only=True) as uow:
            page = await uow.series.search(filter, PageRequest(limit=limit, offset=offset))
        return [series.id for series in page.items], page.total

    def ids(*series: BookingSeries) -> list[UUID]:
        return [s.id for s in series]

    assert await listed(SeriesFilter()) == (ids(*newest_first), 7)
    assert await listed(SeriesFilter(requester_id=ana.id)) == (
        ids(*twins, made[3], made[1], made[0]),
        5,
    )
    assert await listed(SeriesFilter(room_id=elm.id)) == (ids(made[4], made[1]), 2)
    assert await listed(SeriesFilter(requester_id=bob.id, room_id=oak.id)) == (ids(made[2]), 1)
    assert await listed(SeriesFilter(requester_id=uuid4())) == ([], 0)
    # Pages: a full one counts all the matches; the last one, short, needs no count.
    assert await listed(SeriesFilter(), limit=3) == (ids(*newest_first[:3]), 7)
    assert await listed(SeriesFilter(), limit=3, offset=6) == (ids(newest_first[6]), 7)
    assert await listed(SeriesFilter(requester_id=ana.id), limit=2, offset=2) == (
        ids(made[3], made[1]),
        5,
    )
    async with uow_factory(read_only=True) as uow:
        page = await uow.series.search(SeriesFilter(room_id=elm.id), PageRequest(limit=1))
    assert state(page.items[0]) == state(made[4])


# --- Occurrences --------------------------------------------------------------------------


async def test_occurrences_are_read_back_by_series_by_start_then_id_every_field_whole(
    uow_factory: UowFactory,
) -> None:
    room, ana = a_room(), a_user()
    weekly, other = (
        a_series(room, ana),
        a_series(room, ana, first=TimeSlot(FIRST.start + HOUR, FIRST.end + HOUR)),
    )
    first = an_occurrence(weekly, FIRST.start)
    # A cancelled occurrence and a pending one at the same time: ordered by id.
    same_time = [
        an_occurrence(weekly, FIRST.start + WEEK, status=BookingStatus.CANCELLED),
        an_occurrence(weekly, FIRST.start + WEEK, status=BookingStatus.PENDING),
    ]
    moved = an_occurrence(weekly, FIRST.start + 2 * WEEK)
    moved.change(
        slot=TimeSlot(FIRST.start + 2 * WEEK + HOUR, FIRST.end + 2 * WEEK + HOUR),
        by=ana.id,
        at=NOW,
    )
    assert moved.series_changed
    others = [
        an_occurrence(other, FIRST.start + 5 * WEEK + HOUR),
        an_occurrence(other, FIRST.start + 4 * WEEK + HOUR),
    ]
    alone = a_booking(room, ana, FIRST.start + 3 * WEEK, FIRST.end + 3 * WEEK)
    await seed(uow_factory, room, ana, weekly, other, alone)
    async with uow_factory() as uow:
        await uow.bookings.add_many([moved, *same_time, first])
        await uow.bookings.add_many(others)
        await uow.commit()

    of_weekly = await occurrences(uow_factory, weekly)
    of_both = await occurrences(uow_factory, other, weekly, other)

    by_start = [first, *sorted(same_time, key=lambda b: str(b.id)), moved]
    assert [state(b) for b in of_weekly] == [state(b) for b in by_start]
    assert of_weekly[-1].occurrence_start == FIRST.start + 2 * WEEK  # where the series put it
    assert of_weekly[-1].series_changed is True
    assert [b.id for b in of_both] == [b.id for b in by_start] + [others[1].id, others[0].id]
    async with uow_factory(read_only=True) as uow:
        assert await uow.bookings.of_series([]) == []
        assert await uow.bookings.of_series([uuid4()]) == []
        single = await uow.bookings.get(alone.id)
    assert single is not None
    assert (single.series_id, single.occurrence_start, single.series_changed) == (None, None, False)


@pytest.mark.parametrize("in_the_way", ["booking", "closure"])
async def test_occurrences_are_refused_whole_when_one_meets_an_active_booking_or_a_closure(
    uow_factory: UowFactory, in_the_way: str
) -> None:
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    third = FIRST.start + 2 * WEEK
    blocker: Booking | Closure = (
        a_booking(room, ana, third + HOUR, third + 2 * HOUR)
        if in_the_way == "booking"
        else Closure.create(
            room_id=room.id, period=Period(third, third + HOUR), reason="Exams", by=None, now=NOW
        )
    )
    # A cancelled booking in the way of another occurrence takes no time.
    cancelled = a_booking(room, ana, FIRST.start, FIRST.end, status=BookingStatus.CANCELLED)
    await seed(uow_factory, room, ana, series, blocker, cancelled)
    weekly = [an_occurrence(series, FIRST.start + n * WEEK) for n in range(4)]

    async with uow_factory() as uow:
        with pytest.raises(SlotTaken):
            await uow.bookings.add_many(weekly)

    assert await occurrences(uow_factory, series) == []
    # Without the one in the way, the others go in.
    async with uow_factory() as uow:
        await uow.bookings.add_many([weekly[0], weekly[1], weekly[3]])
        await uow.commit()
    assert [b.id for b in await occurrences(uow_factory, series)] == [
        weekly[0].id,
        weekly[1].id,
        weekly[3].id,
    ]


async def test_occurrences_that_overlap_each_other_are_refused_whole(
    uow_factory: UowFactory,
) -> None:
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    await seed(uow_factory, room, ana, series)
    overlapping = [an_occurrence(series, FIRST.start), an_occurrence(series, FIRST.start + HOUR)]

    async with uow_factory() as uow:
        with pytest.raises(SlotTaken):
            await uow.bookings.add_many(overlapping)

    assert await occurrences(uow_factory, series) == []


async def test_occurrences_are_written_back_together(uow_factory: UowFactory) -> None:
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    weekly = [an_occurrence(series, FIRST.start + n * WEEK) for n in range(3)]
    await seed(uow_factory, room, ana, series)
    async with uow_factory() as uow:
        await uow.bookings.add_many(weekly)
        await uow.commit()

    async with uow_factory() as uow:
        loaded = await uow.bookings.of_series([series.id], lock=True)
        for booking in loaded:
            later = TimeSlot(booking.slot.start + HOUR, booking.slot.end + HOUR)
            booking.change(
                title="Book club", attendees=9, slot=later, in_series=True, by=ana.id, at=NOW
            )
        loaded[1].change(attendees=3, by=ana.id, at=NOW)  # on its own
        loaded[2].cancel(by=ana.id, at=NOW, reason="Holiday")
        await uow.bookings.save_many(loaded)
        await uow.commit()

    stored = await occurrences(uow_factory, series)
    assert [state(b) for b in stored] == [state(b) for b in loaded]
    assert [b.occurrence_start for b in stored] == [b.slot.start + HOUR for b in weekly]
    assert [b.series_changed for b in stored] == [False, True, False]
    assert [b.status for b in stored] == [BookingStatus.APPROVED] * 2 + [BookingStatus.CANCELLED]


async def test_occurrences_moved_onto_an_active_booking_are_refused_whole(
    uow_factory: UowFactory,
) -> None:
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    weekly = [an_occurrence(series, FIRST.start + n * WEEK) for n in range(3)]
    in_the_way = a_booking(
        room, ana, FIRST.start + 2 * WEEK + 2 * HOUR, FIRST.start + 2 * WEEK + 3 * HOUR
    )
    await seed(uow_factory, room, ana, series, in_the_way)
    async with uow_factory() as uow:
        await uow.bookings.add_many(weekly)
        await uow.commit()

    async with uow_factory() as uow:
        loaded = await uow.bookings.of_series([series.id], lock=True)
        for booking in loaded:
            later = TimeSlot(booking.slot.start + 2 * HOUR, booking.slot.end + 2 * HOUR)
            booking.change(slot=later, in_series=True, by=ana.id, at=NOW)
        with pytest.raises(SlotTaken):
            await uow.bookings.save_many(loaded)

    assert [state(b) for b in await occurrences(uow_factory, series)] == [state(b) for b in weekly]


async def test_the_times_of_a_rooms_active_bookings_over_days(uow_factory: UowFactory) -> None:
    oak, elm, ana = a_room("Oak"), a_room("Elm"), a_user()
    period = Period(datetime(2027, 3, 2, tzinfo=UTC), datetime(2027, 3, 5, tzinfo=UTC))
    night = a_booking(oak, ana, period.start - 22 * HOUR, period.start + HOUR)  # runs into it
    last = a_booking(oak, ana, period.end - HOUR, period.end + 5 * HOUR)  # runs out of it
    day_two = a_booking(oak, ana, period.start + 30 * HOUR, period.start + 32 * HOUR)
    day_three = a_booking(
        oak, ana, period.start + 50 * HOUR, period.start + 51 * HOUR, BookingStatus.PENDING
    )
    unwanted = [
        a_booking(oak, ana, period.start - 72 * HOUR, period.start - 71 * HOUR),  # long before
        a_booking(oak, ana, period.end + 5 * HOUR, period.end + 6 * HOUR),  # after
        a_booking(
            oak, ana, period.start + 40 * HOUR, period.start + 41 * HOUR, BookingStatus.CANCELLED
        ),
        a_booking(
            oak, ana, period.start + 45 * HOUR, period.start + 46 * HOUR, BookingStatus.REJECTED
        ),
        a_booking(elm, ana, period.start + 30 * HOUR, period.start + 32 * HOUR),  # another room
    ]
    await seed(uow_factory, oak, elm, ana, last, day_three, night, day_two, *unwanted)
    # From when the night ends to when the last starts: neither overlaps it.
    between = Period(night.slot.end, last.slot.start)

    async with uow_factory(read_only=True) as uow:
        slots = await uow.bookings.times_within(oak.id, period)
        inner = await uow.bookings.times_within(oak.id, between)
        first_hour = await uow.bookings.times_within(oak.id, Period(period.start, night.slot.end))

    assert slots == [night.slot, day_two.slot, day_three.slot, last.slot]
    assert inner == [day_two.slot, day_three.slot]
    assert first_hour == [night.slot]


# --- What only a database has -------------------------------------------------------------


async def test_occurrences_are_added_and_saved_in_one_statement_each(
    engine: AsyncEngine, sql_uow_factory: UowFactory
) -> None:
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    weekly = [an_occurrence(series, FIRST.start + n * WEEK) for n in range(8)]
    await seed(sql_uow_factory, room, ana, series)

    async with sql_uow_factory() as uow:
        with counting_statements(engine) as statements:
            await uow.bookings.add_many(weekly)
            await uow.bookings.add_many([])
            await uow.bookings.save_many([])
            assert await uow.bookings.of_series([]) == []
        inserts = list(statements)
        for booking in weekly:
            booking.change(title="Book club", by=ana.id, at=NOW)
        with counting_statements(engine) as statements:
            await uow.bookings.save_many(weekly)
        updates = list(statements)
        await uow.commit()

    assert len(inserts) == 1, inserts
    assert inserts[0].startswith("INSERT INTO bookings")
    assert len(updates) == 1, updates
    assert updates[0].startswith("UPDATE bookings")
    assert {b.title for b in await occurrences(sql_uow_factory, series)} == {"Book club"}


def test_a_series_and_its_occurrences_are_locked_for_no_key_update_on_postgresql() -> None:
    """Foreign keys to the rows (an occurrence's to its series) take KEY SHARE: never blocked."""
    for statement in (OF_SERIES_LOCKED, SERIES_BY_ID_LOCKED):
        rendered = str(statement.compile(dialect=postgresql.dialect()))
        assert rendered.rstrip().endswith("FOR NO KEY UPDATE"), rendered


@pytest.mark.postgres
async def test_a_locked_read_holds_the_rows_until_the_transaction_ends(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    uow_factory = partial(SqlAlchemyUnitOfWork, engine)
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    weekly = [an_occurrence(series, FIRST.start + n * WEEK) for n in range(2)]
    try:
        await seed(uow_factory, room, ana, series)
        async with uow_factory() as uow:
            await uow.bookings.add_many(weekly)
            await uow.commit()

        async def refusal(table: str, row_id: UUID) -> str | None:
            """The SQLSTATE another writer asking for the row at once gets; None: it got it."""
            async with engine.connect() as other:
                try:
                    await other.execute(
                        text(f"SELECT 1 FROM {table} WHERE id = :id FOR NO KEY UPDATE NOWAIT"),  # noqa: S608
                        {"id": row_id},
                    )
                except DBAPIError as error:
                    return str(getattr(error.orig, "sqlstate", error))
                finally:
                    await other.rollback()
            return None

        held = "55P03"  # lock_not_available
        async with uow_factory() as uow:
            await uow.bookings.of_series([series.id])
            await uow.series.get(series.id)
            assert await refusal("bookings", weekly[1].id) is None
            assert await refusal("booking_series", series.id) is None
            await uow.bookings.of_series([series.id], lock=True)
            await uow.series.get(series.id, lock=True)
            assert await refusal("bookings", weekly[0].id) == held
            assert await refusal("bookings", weekly[1].id) == held
            assert await refusal("booking_series", series.id) == held
        assert await refusal("bookings", weekly[1].id) is None
        assert await refusal("booking_series", series.id) is None
    finally:
        await engine.dispose()
