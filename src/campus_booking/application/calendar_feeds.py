"""Use-cases of calendar feeds: make, list and revoke them, and read one by its token.

A feed is read with no one signed in (calendar apps send no Authorization header): its token
stands in for the owner, whose rights decide what it shows. A student's room feed shows other
people's bookings as "Busy", without title. The events are described here, each booking one
event and each series one event with its rule, the dates it leaves out and the occurrences
changed on their own; writing them as RFC 5545 text is the adapter's job.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from campus_booking.application.ports import Clock, RecurrenceExpander, UnitOfWorkFactory
from campus_booking.application.queries import RoomSelection
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.calendar_feeds import (
    CalendarFeed,
    FeedScope,
    hash_feed_token,
    new_feed_token,
)
from campus_booking.domain.closures import Period
from campus_booking.domain.errors import NotFound
from campus_booking.domain.local_time import day_start
from campus_booking.domain.permissions import Capability, may
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import (
    BookingSeries,
    expansion_limit,
    local_wall_time,
    occurrence_slots,
)
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User

BUSY = "Busy"


@dataclass(frozen=True, slots=True)
class CreateFeedCommand:
    scope: FeedScope
    room_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class CreatedFeed:
    """The feed and its token, which is shown this once."""

    feed: CalendarFeed
    token: str


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT. A series is one event with `recurrence` and `excluded` (the instants of its
    rule it does not hold), and one more, sharing its `uid`, per occurrence changed on its own,
    with the rule's instant it replaces as `recurrence_id`."""

    uid: str
    slot: TimeSlot
    time_zone: str
    title: str
    location: str
    status: BookingStatus
    sequence: int
    last_modified: datetime
    recurrence: str | None = None
    excluded: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    name: str
    events: list[FeedEvent]


class CreateFeed:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, command: CreateFeedCommand) -> CreatedFeed:
        token = new_feed_token()
        feed = CalendarFeed.create(
            owner_id=actor.id,
            scope=command.scope,
            room_id=command.room_id,
            token=token,
            now=self._clock.now(),
        )
        async with self._uow() as uow:
            if feed.room_id is not None and await uow.rooms.get(feed.room_id) is None:
                raise NotFound("Room not found.")
            await uow.feeds.add(feed)
            await uow.commit()
        return CreatedFeed(feed, token)


class ListFeeds:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User) -> list[CalendarFeed]:
        async with self._uow(read_only=True) as uow:
            return await uow.feeds.of_owner(actor.id)


class DeleteFeed:
    """Revoke a feed: its URL answers 404 from then on. Another user's feed is not found."""

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User, feed_id: UUID) -> None:
        async with self._uow() as uow:
            feed = await uow.feeds.get(feed_id)
            if feed is None or feed.owner_id != actor.id:
                raise NotFound("Calendar feed not found.")
            await uow.feeds.delete(feed)
            await uow.commit()


class ReadFeed:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        expander: RecurrenceExpander,
        days_back: int,
        days_ahead: int,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._expander = expander
        self._back = timedelta(days=days_back)
        self._ahead = timedelta(days=days_ahead)

    async def __call__(self, token: str) -> Feed:
        """Raises `NotFound` for an unknown or revoked token, or an owner no longer active."""
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            feed = await uow.feeds.by_token_hash(hash_feed_token(token))
            owner = await uow.users.get(feed.owner_id) if feed else None
            if feed is None or owner is None or not owner.is_active:
                raise NotFound("Calendar feed not found.")
            mine = feed.scope is FeedScope.MINE
            found = await uow.bookings.in_feed(
                owner.id if mine else None,
                None if mine else feed.room_id,
                Period(now - self._back, now + self._ahead),
            )
            shown = [b for b in found if b.is_active or b.last_modified >= now - self._back]
            series_ids = sorted({b.series_id for b in shown if b.series_id}, key=lambda i: i.int)
            series = await uow.series.get_many(series_ids)
            occurrences = await uow.bookings.of_series(series_ids)
            room_ids = {b.room_id for b in shown} | ({feed.room_id} if feed.room_id else set())
            rooms = {r.id: r for r in await uow.rooms.selected(RoomSelection.of(*room_ids))}

        def hidden(requester_id: UUID) -> bool:
            return requester_id != owner.id and not may(owner, Capability.MANAGE_ALL_BOOKINGS)

        events = [
            _booking_event(b, rooms[b.room_id], hidden(b.requester_id))
            for b in shown
            if b.series_id is None
        ]
        for one in series:
            held = [b for b in occurrences if b.series_id == one.id]
            events += self._series_events(one, held, rooms[one.room_id], hidden(one.requester_id))
        if feed.room_id is None:
            return Feed("My bookings", events)
        return Feed(f"{_location(rooms[feed.room_id])}: bookings", events)

    def _series_events(
        self, series: BookingSeries, occurrences: list[Booking], room: Room, hide: bool
    ) -> list[FeedEvent]:
        zone = series.zone
        first_local = local_wall_time(series.first.start, zone)
        starts = self._expander(series.recurrence, first_local, expansion_limit(()))
        rule = occurrence_slots(series.first, zone, series.recurrence, starts)
        by_date = {local_wall_time(slot.start, zone).date(): slot for slot in rule}
        active = {
            local_wall_time(b.occurrence_start or b.slot.start, zone).date(): b
            for b in occurrences
            if b.is_active
        }
        statuses = Counter(b.status for b in active.values())
        status = statuses.most_common(1)[0][0] if statuses else BookingStatus.CANCELLED
        excluded = tuple(slot.start for day, slot in by_date.items() if day not in active)
        title = BUSY if hide else series.title
        master = FeedEvent(
            uid=f"{series.id}@campus-booking",
            slot=series.first,
            time_zone=series.time_zone,
            title=title,
            location=_location(room),
            status=status,
            sequence=sum(b.sequence for b in occurrences),
            last_modified=max((b.last_modified for b in occurrences), default=series.created_at),
            recurrence=_feed_rule(series),
            excluded=excluded,
        )
        events = [master]
        for day, booking in sorted(active.items()):
            instance = by_date.get(day)
            if instance is None:  # a date the rule does not hold: not expected, but shown
                events.append(_booking_event(booking, room, hide))
                continue
            if (booking.slot, booking.status, booking.title) != (instance, status, series.title):
                events.append(
                    replace(
                        _booking_event(booking, room, hide),
                        uid=master.uid,
                        time_zone=series.time_zone,
                        recurrence_id=instance.start,
                    )
                )
        return events


def _booking_event(booking: Booking, room: Room, hide: bool) -> FeedEvent:
    return FeedEvent(
        uid=f"{booking.id}@campus-booking",
        slot=booking.slot,
        time_zone=room.time_zone,
        title=BUSY if hide else booking.title,
        location=_location(room),
        status=booking.status,
        sequence=booking.sequence,
        last_modified=booking.last_modified,
    )


def _location(room: Room) -> str:
    return f"{room.name}, {room.building}"


def _feed_rule(series: BookingSeries) -> str:
    """The rule as a feed writes it: RFC 5545 wants UNTIL in UTC beside a DTSTART with a time
    zone, so a date UNTIL becomes the last instant of that local day."""
    rule = series.recurrence
    until = rule.until
    if until is None or isinstance(until, datetime):
        return str(rule)
    end_of_day = day_start(until + timedelta(days=1), series.zone) - timedelta(seconds=1)
    return str(replace(rule, until=end_of_day.astimezone(UTC)))
