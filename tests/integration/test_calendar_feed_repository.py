"""Calendar feeds, what they show, and what a calendar reads of a booking, stored: on SQLite,
PostgreSQL and the memory fakes.

The use-case tests run on the memory fakes, so the behaviour tests here run on them too: a
feed round-trips whole and is found by its token's hash, an owner's feeds are listed oldest
first, a feed's bookings are read over any period whatever their status, a booking's sequence
and last change are written back with it. What only a database has (its constraints, one
statement per read) is tested on the databases alone.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.calendar_feeds import (
    CalendarFeed,
    FeedScope,
    hash_feed_token,
    new_feed_token,
)
from campus_booking.domain.closures import Period
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import BookingSeries
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

HOUR = timedelta(hours=1)
# Three days, from midnight to midnight.
PERIOD = Period(datetime(2027, 3, 2, tzinfo=UTC), datetime(2027, 3, 5, tzinfo=UTC))

engine = three_backends.engine
backend = three_backends.backend
uow_factory = three_backends.uow_factory
sql_uow_factory = three_backends.sql_uow_factory


# --- Builders -----------------------------------------------------------------------------


def a_feed(owner: User, room: Room | None = None, *, created_at: datetime = NOW) -> CalendarFeed:
    return CalendarFeed.create(
        owner_id=owner.id,
        scope=FeedScope.ROOM if room else FeedScope.MINE,
        room_id=room.id if room else None,
        token=new_feed_token(),
        now=created_at,
    )


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


def a_series(room: Room, requester: User, **changes: Any) -> BookingSeries:
    first = TimeSlot(datetime(2027, 3, 2, 9, tzinfo=UTC), datetime(2027, 3, 2, 10, tzinfo=UTC))
    fields: dict[str, Any] = {
        "room_id": room.id,
        "requester_id": requester.id,
        "title": "Reading group",
        "attendees": 8,
        "time_zone": "Europe/Berlin",
        "recurrence": Recurrence.parse("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270430"),
        "exdates": (date(2027, 3, 16),),
        "first": first,
        "created_at": NOW,
    }
    return BookingSeries(**(fields | changes))


async def seed(uow_factory: UowFactory, *things: object) -> None:
    """Stores users, rooms, series, feeds and bookings (one at a time), in one commit."""
    async with uow_factory() as uow:
        for thing in things:
            if isinstance(thing, User):
                await uow.users.add(thing)
            elif isinstance(thing, Room):
                await uow.rooms.add(thing)
            elif isinstance(thing, BookingSeries):
                await uow.series.add(thing)
            elif isinstance(thing, CalendarFeed):
                await uow.feeds.add(thing)
            else:
                assert isinstance(thing, Booking)
                await uow.bookings.add(thing)
        await uow.commit()


def state(entity: Booking | BookingSeries | CalendarFeed) -> dict[str, Any]:
    """Every field but the events, which a stored row does not hold."""
    fields = asdict(entity)
    fields.pop("events", None)
    return fields


async def stored(uow_factory: UowFactory, booking: Booking) -> Booking:
    async with uow_factory(read_only=True) as uow:
        found = await uow.bookings.get(booking.id)
    assert found is not None
    return found


# --- Feeds ----------------------------------------------------------------------------------


async def test_a_feed_round_trips_whole_and_is_found_by_its_tokens_hash(
    uow_factory: UowFactory, backend: str
) -> None:
    room, ana = a_room(), a_user()
    token = new_feed_token()
    mine = CalendarFeed.create(
        owner_id=ana.id, scope=FeedScope.MINE, room_id=None, token=token, now=NOW
    )
    of_room = a_feed(ana, room)
    await seed(uow_factory, room, ana, mine, of_room)

    async with uow_factory(read_only=True) as uow:
        loaded = await uow.feeds.get(mine.id)
        loaded_room = await uow.feeds.get(of_room.id)
        by_hash = await uow.feeds.by_token_hash(hash_feed_token(token))
        assert await uow.feeds.get(uuid4()) is None
        assert await uow.feeds.by_token_hash(hash_feed_token(new_feed_token())) is None
        assert await uow.feeds.by_token_hash(token) is None  # the token itself is not kept

    assert loaded is not None
    assert loaded_room is not None
    assert by_hash is not None
    assert state(loaded) == state(mine)
    assert state(by_hash) == state(mine)
    assert state(loaded_room) == state(of_room)
    assert (loaded.scope, loaded.room_id) == (FeedScope.MINE, None)
    assert (loaded_room.scope, loaded_room.room_id) == (FeedScope.ROOM, room.id)
    assert loaded.scope is FeedScope.MINE  # the enum, not its text
    if backend != "memory":
        assert loaded.created_at.tzinfo is UTC


async def test_an_owners_feeds_are_listed_oldest_first_then_by_id_and_no_one_elses(
    uow_factory: UowFactory,
) -> None:
    oak, elm = a_room("Oak"), a_room("Elm")
    ana, bob = a_user("ana@uni.example"), a_user("bob@uni.example")
    newest = a_feed(ana, created_at=NOW + 2 * HOUR)
    oldest = a_feed(ana, oak, created_at=NOW - HOUR)
    # Two made at the same instant: the smaller id first.
    twins = sorted(
        (a_feed(ana, elm, created_at=NOW) for _ in range(2)), key=lambda feed: str(feed.id)
    )
    bobs = a_feed(bob, oak, created_at=NOW)
    await seed(uow_factory, oak, elm, ana, bob, newest, bobs, twins[1], oldest, twins[0])

    async with uow_factory(read_only=True) as uow:
        of_ana = await uow.feeds.of_owner(ana.id)
        of_bob = await uow.feeds.of_owner(bob.id)
        of_nobody = await uow.feeds.of_owner(uuid4())

    assert [feed.id for feed in of_ana] == [oldest.id, twins[0].id, twins[1].id, newest.id]
    assert [state(feed) for feed in of_ana] == [state(feed) for feed in (oldest, *twins, newest)]
    assert [feed.id for feed in of_bob] == [bobs.id]
    assert of_nobody == []


async def test_a_deleted_feed_is_gone_and_the_others_stay(uow_factory: UowFactory) -> None:
    room, ana = a_room(), a_user()
    gone, kept = a_feed(ana), a_feed(ana, room, created_at=NOW + HOUR)
    await seed(uow_factory, room, ana, gone, kept)

    async with uow_factory() as uow:
        loaded = await uow.feeds.get(gone.id)
        assert loaded is not None
        await uow.feeds.delete(loaded)
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        assert await uow.feeds.get(gone.id) is None
        assert await uow.feeds.by_token_hash(gone.token_hash) is None
        assert [feed.id for feed in await uow.feeds.of_owner(ana.id)] == [kept.id]
        assert await uow.feeds.by_token_hash(kept.token_hash) is not None


async def test_a_feed_deleted_without_a_commit_stays(uow_factory: UowFactory) -> None:
    ana = a_user()
    feed = a_feed(ana)
    await seed(uow_factory, ana, feed)

    async with uow_factory() as uow:
        await uow.feeds.delete(feed)

    async with uow_factory(read_only=True) as uow:
        assert await uow.feeds.get(feed.id) is not None


async def test_a_second_feed_with_a_taken_tokens_hash_is_refused(
    uow_factory: UowFactory, backend: str
) -> None:
    ana, bob = a_user("ana@uni.example"), a_user("bob@uni.example")
    first = a_feed(ana)
    await seed(uow_factory, ana, bob, first)
    twin = CalendarFeed(
        owner_id=bob.id,
        scope=FeedScope.MINE,
        room_id=None,
        token_hash=first.token_hash,
        created_at=NOW,
    )

    async with uow_factory() as uow:
        with pytest.raises(ValueError if backend == "memory" else IntegrityError):
            await uow.feeds.add(twin)

    async with uow_factory(read_only=True) as uow:
        assert await uow.feeds.get(twin.id) is None
        found = await uow.feeds.by_token_hash(first.token_hash)
    assert found is not None
    assert found.id == first.id


# --- A feed's bookings --------------------------------------------------------------------


async def test_a_feeds_bookings_over_days_by_room_and_by_requester_whatever_their_status(
    uow_factory: UowFactory,
) -> None:
    oak, elm = a_room("Oak"), a_room("Elm")
    ana, bob = a_user("ana@uni.example"), a_user("bob@uni.example")
    start, end = PERIOD.start, PERIOD.end
    night = a_booking(oak, bob, start - 22 * HOUR, start + HOUR)  # runs into the period
    day_two = a_booking(oak, ana, start + 30 * HOUR, start + 32 * HOUR, BookingStatus.PENDING)
    cancelled = a_booking(oak, ana, start + 40 * HOUR, start + 41 * HOUR, BookingStatus.CANCELLED)
    rejected = a_booking(oak, bob, start + 45 * HOUR, start + 46 * HOUR, BookingStatus.REJECTED)
    # Two at the same time (one of them cancelled): by id.
    same_time = sorted(
        [
            a_booking(oak, ana, start + 50 * HOUR, start + 51 * HOUR, BookingStatus.CANCELLED),
            a_booking(oak, ana, start + 50 * HOUR, start + 51 * HOUR),
        ],
        key=lambda b: str(b.id),
    )
    last = a_booking(oak, ana, end - HOUR, end + 5 * HOUR)  # runs out of it
    # Ana's in another room: a whole day, from the period's last half hour on.
    elm_day = a_booking(elm, ana, end - HOUR / 2, end + 23.5 * HOUR)
    elm_bob = a_booking(elm, bob, start + 2 * HOUR, start + 3 * HOUR)
    outside = [
        a_booking(oak, ana, start - 72 * HOUR, start - 71 * HOUR),  # long before
        a_booking(oak, ana, start - 2 * HOUR, start, BookingStatus.CANCELLED),  # ends as it starts
        a_booking(oak, ana, end, end + HOUR, BookingStatus.REJECTED),  # starts as it ends
        a_booking(oak, ana, end + 5 * HOUR, end + 6 * HOUR),  # after
        a_booking(elm, ana, start - 30 * HOUR, start - 6 * HOUR),  # a whole day, before
    ]
    await seed(
        uow_factory,
        oak,
        elm,
        ana,
        bob,
        last,
        *same_time,
        elm_day,
        rejected,
        night,
        *outside,
        cancelled,
        elm_bob,
        day_two,
    )

    async with uow_factory(read_only=True) as uow:
        of_oak = await uow.bookings.in_feed(None, oak.id, PERIOD)
        of_elm = await uow.bookings.in_feed(None, elm.id, PERIOD)
        of_ana = await uow.bookings.in_feed(ana.id, None, PERIOD)
        of_bob = await uow.bookings.in_feed(bob.id, None, PERIOD)
        first_hour = await uow.bookings.in_feed(None, oak.id, Period(start, start + HOUR))
        of_nobody = await uow.bookings.in_feed(uuid4(), None, PERIOD)

    def ids(bookings: list[Booking]) -> list[Any]:
        return [b.id for b in bookings]

    assert ids(of_oak) == ids([night, day_two, cancelled, rejected, *same_time, last])
    assert [state(b) for b in of_oak] == [
        state(b) for b in (night, day_two, cancelled, rejected, *same_time, last)
    ]
    assert ids(of_elm) == ids([elm_bob, elm_day])
    assert ids(of_ana) == ids([day_two, cancelled, *same_time, last, elm_day])
    assert ids(of_bob) == ids([night, elm_bob, rejected])
    assert ids(first_hour) == ids([night])
    assert of_nobody == []


async def test_a_feeds_bookings_are_of_a_requester_or_of_a_room(uow_factory: UowFactory) -> None:
    async with uow_factory(read_only=True) as uow:
        with pytest.raises(ValueError, match="one of the two"):
            await uow.bookings.in_feed(None, None, PERIOD)
        with pytest.raises(ValueError, match="one of the two"):
            await uow.bookings.in_feed(uuid4(), uuid4(), PERIOD)


# --- What a calendar reads of a booking ---------------------------------------------------


async def test_a_bookings_sequence_and_last_change_are_stored_with_it(
    uow_factory: UowFactory, backend: str
) -> None:
    room, ana = a_room(), a_user()
    fresh = a_booking(room, ana, PERIOD.start, PERIOD.start + HOUR)
    changed_before = a_booking(room, ana, PERIOD.start + 2 * HOUR, PERIOD.start + 3 * HOUR)
    changed_before.change(title="Renamed", by=ana.id, at=NOW)
    await seed(uow_factory, room, ana, fresh, changed_before)

    loaded = await stored(uow_factory, fresh)
    assert (loaded.sequence, loaded.updated_at) == (0, None)
    assert loaded.last_modified == NOW
    loaded_changed = await stored(uow_factory, changed_before)
    assert (loaded_changed.sequence, loaded_changed.updated_at) == (1, NOW)

    at = NOW + timedelta(minutes=7, seconds=30, microseconds=123456)
    async with uow_factory() as uow:
        booking = await uow.bookings.get(fresh.id, lock=True)
        assert booking is not None
        booking.change(title="Book club", by=ana.id, at=at)
        await uow.bookings.save(booking)
        await uow.commit()

    reloaded = await stored(uow_factory, fresh)
    assert (reloaded.title, reloaded.sequence, reloaded.updated_at) == ("Book club", 1, at)
    assert reloaded.last_modified == at
    assert state(reloaded) == state(booking)
    if backend != "memory":
        assert reloaded.updated_at is not None
        assert reloaded.updated_at.tzinfo is UTC


async def test_bookings_written_together_keep_their_sequences_and_last_changes(
    uow_factory: UowFactory,
) -> None:
    room, ana = a_room(), a_user()
    bookings = [
        a_booking(room, ana, PERIOD.start + n * 2 * HOUR, PERIOD.start + (n * 2 + 1) * HOUR)
        for n in range(3)
    ]
    bookings[2].change(attendees=6, by=ana.id, at=NOW)
    await seed(uow_factory, room, ana)
    async with uow_factory() as uow:
        await uow.bookings.add_many(bookings)
        await uow.commit()
    assert [
        (b.sequence, b.updated_at) for b in [await stored(uow_factory, b) for b in bookings]
    ] == [
        (0, None),
        (0, None),
        (1, NOW),
    ]

    first, second = NOW + HOUR, NOW + 2 * HOUR
    async with uow_factory() as uow:
        loaded = [await uow.bookings.get(b.id, lock=True) for b in bookings]
        assert all(b is not None for b in loaded)
        written = [b for b in loaded if b is not None]
        written[0].change(title="Book club", by=ana.id, at=first)
        written[0].change(title="Reading group", by=ana.id, at=second)
        written[1].cancel(by=ana.id, at=first)
        written[2].change(title="Book club", by=ana.id, at=second)
        await uow.bookings.save_many(written)
        await uow.commit()

    after = [await stored(uow_factory, b) for b in bookings]
    assert [(b.sequence, b.updated_at) for b in after] == [(2, second), (1, first), (2, second)]
    assert [state(b) for b in after] == [state(b) for b in written]


# --- Series -------------------------------------------------------------------------------


async def test_series_are_read_many_at_once_unknown_ids_left_out(uow_factory: UowFactory) -> None:
    room, ana = a_room(), a_user()
    made = [a_series(room, ana, title=f"Group {n}", created_at=NOW + n * HOUR) for n in range(3)]
    await seed(uow_factory, room, ana, *made)

    async with uow_factory(read_only=True) as uow:
        found = await uow.series.get_many([made[2].id, uuid4(), made[0].id, made[2].id])
        assert await uow.series.get_many([]) == []
        assert await uow.series.get_many([uuid4()]) == []

    by_id = {series.id: series for series in found}
    assert len(found) == 2
    assert set(by_id) == {made[0].id, made[2].id}
    assert state(by_id[made[0].id]) == state(made[0])
    assert state(by_id[made[2].id]) == state(made[2])


async def test_series_read_many_at_once_are_noted_so_their_changes_are_published(
    uow_factory: UowFactory,
) -> None:
    """What `get_many` hands out is noted, as `get` does: a change recorded on a series read
    through it is audited at the commit, even unsaved."""
    room, ana = a_room(), a_user()
    series = a_series(room, ana)
    await seed(uow_factory, room, ana, series)

    async with uow_factory() as uow:
        [loaded] = await uow.series.get_many([series.id])
        loaded.change(title="Book club", by=ana.id, at=NOW)
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        trail = await uow.audit.search(AuditFilter(entity_id=series.id), PageRequest(limit=10))
    assert len(trail.items) == 1
    assert trail.items[0].actor_id == ana.id


# --- What only a database has -------------------------------------------------------------


@pytest.mark.parametrize(
    ("scope", "with_room"),
    [("mine", True), ("room", False), ("team", False), ("team", True)],
)
async def test_a_feed_whose_scope_and_room_disagree_is_refused(
    sql_uow_factory: UowFactory, scope: str, with_room: bool
) -> None:
    room, ana = a_room(), a_user()
    await seed(sql_uow_factory, room, ana)
    feed = CalendarFeed(
        owner_id=ana.id,
        scope=FeedScope.MINE,
        room_id=room.id if with_room else None,
        token_hash=hash_feed_token(new_feed_token()),
        created_at=NOW,
    )
    # Its scope as a row holds it: no feed the domain makes has these.
    feed.scope = SimpleNamespace(value=scope)

    async with sql_uow_factory() as uow:
        with pytest.raises(IntegrityError, match=r"(?i)check"):
            await uow.feeds.add(feed)


async def test_a_bookings_sequence_is_never_negative(sql_uow_factory: UowFactory) -> None:
    room, ana = a_room(), a_user()
    booking = a_booking(room, ana, PERIOD.start, PERIOD.start + HOUR)
    booking.sequence = -1
    await seed(sql_uow_factory, room, ana)

    async with sql_uow_factory() as uow:
        with pytest.raises(IntegrityError, match=r"(?i)check"):
            await uow.bookings.add(booking)


async def test_a_feeds_bookings_and_many_series_are_read_in_one_statement_each(
    engine: AsyncEngine, sql_uow_factory: UowFactory
) -> None:
    room, ana = a_room(), a_user()
    made = [a_series(room, ana) for _ in range(3)]
    bookings = [
        a_booking(room, ana, PERIOD.start + n * 2 * HOUR, PERIOD.start + (n * 2 + 1) * HOUR)
        for n in range(5)
    ]
    await seed(sql_uow_factory, room, ana, *made, *bookings)

    # A writer's unit of work: a reader's statements go straight to the driver, unseen here.
    async with sql_uow_factory() as uow:
        with counting_statements(engine) as statements:
            of_room = await uow.bookings.in_feed(None, room.id, PERIOD)
        of_room_sql = list(statements)
        with counting_statements(engine) as statements:
            of_ana = await uow.bookings.in_feed(ana.id, None, PERIOD)
        of_ana_sql = list(statements)
        with counting_statements(engine) as statements:
            series = await uow.series.get_many([s.id for s in made])
            assert await uow.series.get_many([]) == []
        series_sql = list(statements)

    assert (len(of_room), len(of_ana), len(series)) == (5, 5, 3)
    assert len(of_room_sql) == 1, of_room_sql
    assert len(of_ana_sql) == 1, of_ana_sql
    assert len(series_sql) == 1, series_sql
    # Each bounded on both sides of the column its index orders by.
    assert "bookings.starts_at >" in of_room_sql[0]
    assert "bookings.starts_at <" in of_room_sql[0]
    assert "bookings.ends_at >" in of_ana_sql[0]
    assert "bookings.ends_at <=" in of_ana_sql[0]
