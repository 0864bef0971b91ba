"""Calendar feeds: a secret URL a calendar app subscribes to, for one's own bookings or a room's.

Calendar apps cannot send an Authorization header, so the feed's token is its credential: it
is shown once, when the feed is made, and only its hash is kept, so a leaked database holds no
usable URL. A token is 256 random bits, so a plain SHA-256 is enough to keep it: there is
nothing to guess that a slow hash would protect.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from uuid import UUID, uuid4

from campus_booking.domain.errors import InvalidValue

TOKEN_BYTES = 32


class FeedScope(StrEnum):
    MINE = "mine"  # the owner's own bookings
    ROOM = "room"  # every booking of one room


def new_feed_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_feed_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(eq=False, slots=True)
class CalendarFeed:
    owner_id: UUID
    scope: FeedScope
    room_id: UUID | None
    token_hash: str
    created_at: datetime
    id: UUID = field(default_factory=uuid4)

    @classmethod
    def create(
        cls, *, owner_id: UUID, scope: FeedScope, room_id: UUID | None, token: str, now: datetime
    ) -> CalendarFeed:
        if scope is FeedScope.ROOM and room_id is None:
            raise InvalidValue("room_id", "is needed for a room's feed")
        if scope is FeedScope.MINE and room_id is not None:
            raise InvalidValue("room_id", "is only for a room's feed")
        return cls(
            owner_id=owner_id,
            scope=scope,
            room_id=room_id,
            token_hash=hash_feed_token(token),
            created_at=now,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CalendarFeed) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)
