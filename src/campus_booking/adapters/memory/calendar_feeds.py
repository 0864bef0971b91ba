"""Calendar feeds in memory: rows by id, handed out as copies; a token's hash is unique, as
by the schema."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import UUID

from campus_booking.domain.calendar_feeds import CalendarFeed


class MemoryCalendarFeedRepository:
    def __init__(self, rows: dict[UUID, CalendarFeed]) -> None:
        self._rows = rows

    async def add(self, feed: CalendarFeed) -> None:
        if any(
            other.token_hash == feed.token_hash and other.id != feed.id
            for other in self._rows.values()
        ):
            raise ValueError("Another feed has this token's hash: the schema refuses it.")
        self._rows[feed.id] = copy.copy(feed)

    async def get(self, feed_id: UUID) -> CalendarFeed | None:
        found = self._rows.get(feed_id)
        return copy.copy(found) if found is not None else None

    async def by_token_hash(self, token_hash: str) -> CalendarFeed | None:
        found = next((f for f in self._rows.values() if f.token_hash == token_hash), None)
        return copy.copy(found) if found is not None else None

    async def of_owner(self, owner_id: UUID) -> list[CalendarFeed]:
        mine = (feed for feed in self._rows.values() if feed.owner_id == owner_id)
        return [copy.copy(feed) for feed in sorted(mine, key=_by_creation)]

    async def delete(self, feed: CalendarFeed) -> None:
        self._rows.pop(feed.id, None)


def _by_creation(feed: CalendarFeed) -> tuple[datetime, str]:
    """The SQL repository's order: by creation, ties broken by id."""
    return feed.created_at, str(feed.id)
