"""What a listing asks for (filters, a page) and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from campus_booking.domain.audit import Entity
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.rooms import clean_building, clean_features
from campus_booking.domain.text import clean_search_text
from campus_booking.domain.users import MAX_SEARCH_LENGTH, Role

T = TypeVar("T")

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
# Every database can hold it (SQLite integers are 64-bit), and OpenAPI can state it exactly.
MAX_OFFSET = 2**31 - 1


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int = DEFAULT_PAGE_SIZE
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise InvalidValue("limit", f"must be between 1 and {MAX_PAGE_SIZE}")
        if not 0 <= self.offset <= MAX_OFFSET:
            raise InvalidValue("offset", f"must be between 0 and {MAX_OFFSET}")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


# Filters clean their text as the values they are compared with were cleaned, so that a
# filter finds what it names and a control character never reaches the database (PostgreSQL
# refuses a NUL with an error of its own). Each `InvalidValue` names the filter's field.


@dataclass(frozen=True, slots=True)
class RoomFilter:
    min_capacity: int | None = None
    building: str | None = None
    features: frozenset[str] = frozenset()
    include_inactive: bool = False

    def __post_init__(self) -> None:
        if self.building is not None:
            object.__setattr__(self, "building", clean_building(self.building))
        object.__setattr__(self, "features", clean_features(self.features))


@dataclass(frozen=True, slots=True)
class RoomSelection:
    """Which rooms a read of many rooms' calendars covers: those named (`room_ids`), or the
    active rooms `filter` matches. Either way one statement reads them all."""

    room_ids: tuple[UUID, ...] = ()
    filter: RoomFilter | None = None

    @classmethod
    def of(cls, *room_ids: UUID) -> RoomSelection:
        return cls(room_ids=room_ids)

    @classmethod
    def matching(cls, filter: RoomFilter) -> RoomSelection:
        return cls(filter=filter)


@dataclass(frozen=True, slots=True)
class BookingFilter:
    """`starts_before`/`ends_after` select bookings overlapping the window `[from, to)`."""

    requester_id: UUID | None = None
    room_id: UUID | None = None
    statuses: frozenset[BookingStatus] = frozenset()
    ends_after: datetime | None = None
    starts_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class SeriesFilter:
    requester_id: UUID | None = None
    room_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class ClosureFilter:
    """`starts_before`/`ends_after` select closures overlapping the window `[from, to)`."""

    room_id: UUID | None = None
    ends_after: datetime | None = None
    starts_before: datetime | None = None


@dataclass(frozen=True, slots=True)
class UserFilter:
    """`text`: part of an email or a full name; blank means any."""

    role: Role | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_search_text(self.text, "text", MAX_SEARCH_LENGTH))


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """`since`/`until` select entries recorded in `[since, until)`."""

    entity: Entity | None = None
    entity_id: UUID | None = None
    actor_id: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
