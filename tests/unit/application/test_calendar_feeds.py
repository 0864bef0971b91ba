"""The calendar feed use-cases through the memory fakes: a feed is kept by its token's hash,
listed and revoked by its owner alone, and read by its token into events that show what the
owner may see, a series as one event with its rule and the dates it leaves out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.adapters.recurrence.dateutil_expander import expand_recurrence
from campus_booking.application.calendar_feeds import (
    BUSY,
    CreateFeed,
    CreateFeedCommand,
    DeleteFeed,
    Feed,
    ListFeeds,
    ReadFeed,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.series import CreateSeries, CreateSeriesCommand
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.calendar_feeds import FeedScope, hash_feed_token
from campus_booking.domain.errors import InvalidValue, NotFound
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.unit.application.booking_requests import RULES
from tests.unit.builders import add_booking, at, slot

MINE = CreateFeedCommand(FeedScope.MINE)


@pytest.fixture
def create_feed(uow: UnitOfWorkFactory, clock: FixedClock) -> CreateFeed:
    return CreateFeed(uow, clock)


@pytest.fixture
def read_feed(uow: UnitOfWorkFactory, clock: FixedClock) -> ReadFeed:
    return ReadFeed(uow, clock, expand_recurrence, days_back=30, days_ahead=365)


def titles(feed: Feed) -> list[str]:
    return sorted(event.title for event in feed.events)


async def test_a_feed_keeps_only_its_tokens_hash(
    create_feed: CreateFeed, store: MemoryStore, student: User
) -> None:
    created = await create_feed(student, MINE)

    (kept,) = store.feeds.values()
    assert kept.token_hash == hash_feed_token(created.token) != created.token
    assert len(created.token) >= 43  # 256 bits, URL-safe base64


async def test_a_room_feed_needs_a_room_that_exists(
    create_feed: CreateFeed, store: MemoryStore, student: User, room: Room
) -> None:
    with pytest.raises(InvalidValue):
        await create_feed(student, CreateFeedCommand(FeedScope.ROOM))
    with pytest.raises(NotFound):
        await create_feed(student, CreateFeedCommand(FeedScope.ROOM, room_id=student.id))
    assert store.feeds == {}

    made = await create_feed(student, CreateFeedCommand(FeedScope.ROOM, room_id=room.id))

    assert made.feed.room_id == room.id


async def test_feeds_are_listed_and_revoked_by_their_owner_alone(
    create_feed: CreateFeed,
    uow: UnitOfWorkFactory,
    read_feed: ReadFeed,
    student: User,
    other_student: User,
) -> None:
    mine = await create_feed(student, MINE)
    await create_feed(other_student, MINE)

    assert [feed.id for feed in await ListFeeds(uow)(student)] == [mine.feed.id]
    with pytest.raises(NotFound):
        await DeleteFeed(uow)(other_student, mine.feed.id)
    await read_feed(mine.token)  # still answers

    await DeleteFeed(uow)(student, mine.feed.id)

    with pytest.raises(NotFound):
        await read_feed(mine.token)


async def test_an_unknown_token_or_a_deactivated_owner_is_not_found(
    create_feed: CreateFeed, read_feed: ReadFeed, store: MemoryStore, student: User
) -> None:
    made = await create_feed(student, MINE)
    with pytest.raises(NotFound):
        await read_feed(made.token + "x")

    store.users[student.id].is_active = False

    with pytest.raises(NotFound):
        await read_feed(made.token)


async def test_my_feed_shows_my_bookings_and_recent_cancellations_only(
    create_feed: CreateFeed,
    read_feed: ReadFeed,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    add_booking(store, room, slot(1, 2), by=student, title="Mine")
    add_booking(store, room, slot(3, 4), by=other_student, title="Theirs")
    gone = add_booking(store, room, slot(5, 6), by=student, title="Called off")
    gone.cancel(by=student.id, at=clock.now())
    long_gone = add_booking(store, room, slot(-24 * 40, -24 * 40 + 1), by=student, title="Old")
    long_gone.cancel(by=student.id, at=at(-24 * 40))
    made = await create_feed(student, MINE)

    feed = await read_feed(made.token)

    assert titles(feed) == ["Called off", "Mine"]
    statuses = {event.title: event.status for event in feed.events}
    assert statuses["Called off"] is BookingStatus.CANCELLED


async def test_a_students_room_feed_hides_whose_bookings_others_are_staffs_does_not(
    create_feed: CreateFeed,
    read_feed: ReadFeed,
    store: MemoryStore,
    student: User,
    other_student: User,
    staff: User,
    room: Room,
) -> None:
    add_booking(store, room, slot(1, 2), by=student, title="Mine")
    add_booking(store, room, slot(3, 4), by=other_student, title="Theirs")
    of_room = CreateFeedCommand(FeedScope.ROOM, room_id=room.id)

    seen_by_student = await read_feed((await create_feed(student, of_room)).token)
    seen_by_staff = await read_feed((await create_feed(staff, of_room)).token)

    assert titles(seen_by_student) == [BUSY, "Mine"]
    assert titles(seen_by_staff) == ["Mine", "Theirs"]


async def test_a_series_is_one_event_with_its_rule_and_the_dates_it_leaves_out(
    create_feed: CreateFeed,
    read_feed: ReadFeed,
    uow: UnitOfWorkFactory,
    clock: FixedClock,
    store: MemoryStore,
    student: User,
    room: Room,
) -> None:
    first = at(26)
    command = CreateSeriesCommand(
        room_id=room.id,
        title="Tutorial",
        starts_at=first,
        ends_at=first + timedelta(hours=1),
        recurrence="FREQ=WEEKLY;COUNT=4",
    )
    made = await CreateSeries(uow, clock, RULES, expand_recurrence)(student, command)
    third = made.occurrences[2]
    store.bookings[third.id].cancel(by=student.id, at=clock.now())

    feed = await read_feed((await create_feed(student, MINE)).token)

    (event,) = feed.events  # the cancelled date is left out, not an event of its own
    assert event.recurrence == "FREQ=WEEKLY;COUNT=4"
    assert event.slot.start == first
    assert event.excluded == (third.slot.start,)
    assert event.uid == f"{made.series.id}@campus-booking"
