"""Calendar feeds: one row each, found by id, by the hash of its token, or by its owner.

A feed records no events (it is no aggregate), so nothing here is noted for publishing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.tables import calendar_feeds
from campus_booking.domain.calendar_feeds import CalendarFeed, FeedScope

INSERT_FEED = insert(calendar_feeds)
DELETE_FEED = delete(calendar_feeds).where(calendar_feeds.c.id == bindparam("feed_id"))
FEED_BY_ID = select(calendar_feeds).where(calendar_feeds.c.id == bindparam("feed_id"))
# Every read of a feed's URL: through the unique index on token_hash.
FEED_BY_TOKEN_HASH = select(calendar_feeds).where(
    calendar_feeds.c.token_hash == bindparam("token_hash")
)
# Through the (owner_id, created_at) index, oldest first.
FEEDS_OF_OWNER = (
    select(calendar_feeds)
    .where(calendar_feeds.c.owner_id == bindparam("owner_id"))
    .order_by(calendar_feeds.c.created_at, calendar_feeds.c.id)
)


class SqlCalendarFeedRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, feed: CalendarFeed) -> None:
        await self._connection.execute(INSERT_FEED, _feed_row(feed))

    async def get(self, feed_id: UUID) -> CalendarFeed | None:
        row = (await self._connection.execute(FEED_BY_ID, {"feed_id": feed_id})).first()
        return _feed_from(row) if row else None

    async def by_token_hash(self, token_hash: str) -> CalendarFeed | None:
        result = await self._connection.execute(FEED_BY_TOKEN_HASH, {"token_hash": token_hash})
        row = result.first()
        return _feed_from(row) if row else None

    async def of_owner(self, owner_id: UUID) -> list[CalendarFeed]:
        result = await self._connection.execute(FEEDS_OF_OWNER, {"owner_id": owner_id})
        return [_feed_from(row) for row in result]

    async def delete(self, feed: CalendarFeed) -> None:
        await self._connection.execute(DELETE_FEED, {"feed_id": feed.id})


def _feed_row(feed: CalendarFeed) -> dict[str, Any]:
    return {
        "id": feed.id,
        "owner_id": feed.owner_id,
        "scope": feed.scope.value,
        "room_id": feed.room_id,
        "token_hash": feed.token_hash,
        "created_at": feed.created_at,
    }


def _feed_from(row: Sequence[Any]) -> CalendarFeed:
    """A row of the `calendar_feeds` columns, in table order."""
    feed_id, owner_id, scope, room_id, token_hash, created_at = row
    return CalendarFeed(
        id=feed_id,
        owner_id=owner_id,
        scope=FeedScope(scope),
        room_id=room_id,
        token_hash=token_hash,
        created_at=created_at,
    )
