"""Ports: what the use-cases need from the outside world, as Protocols the adapters fulfil."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, runtime_checkable
from uuid import UUID

from campus_booking.application.idempotency import KeyRecord
from campus_booking.application.queries import (
    AuditFilter,
    BookingFilter,
    ClosureFilter,
    Page,
    PageRequest,
    RoomFilter,
    RoomSelection,
    SeriesFilter,
    UserFilter,
)
from campus_booking.domain.audit import AuditEntry
from campus_booking.domain.booking_checks import Usage
from campus_booking.domain.booking_policies import BookingPolicy
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.calendar_feeds import CalendarFeed
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.opening_hours import OpeningHours
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import BookingSeries
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware in UTC."""
        ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None:
        """Store a new user; raises `Conflict` when the email is taken."""
        ...

    async def get(self, user_id: UUID, *, lock: bool = False) -> User | None:
        """`lock` holds the user's row until the transaction ends (see `UnitOfWork`)."""
        ...

    async def get_by_email(self, email: str) -> User | None:
        """`email` is already normalised."""
        ...

    async def save(self, user: User) -> None:
        """Write back the changes made to a loaded user."""
        ...

    async def search(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        """Ordered by email."""
        ...

    async def lock_admins_and(self, user_ids: Iterable[UUID]) -> list[User]:
        """The active admins and the users named, locked until the transaction ends.

        One statement takes every row in id order, so two changes to users cannot deadlock.
        """
        ...

    async def lock_all(self, user_ids: Iterable[UUID]) -> list[User]:
        """The users named, locked until the transaction ends, in id order in one statement
        as `lock_admins_and` takes them, so that the two cannot deadlock."""
        ...


class RoomRepository(Protocol):
    async def add(self, room: Room) -> None:
        """Store a new room; raises `Conflict` when the name is taken in any letter case."""
        ...

    async def get(self, room_id: UUID, *, lock: bool = False) -> Room | None:
        """`lock` holds the room until the transaction ends: bookings of one room, and changes
        to the room itself, are then written one after another."""
        ...

    async def lock_of_booking(self, booking_id: UUID) -> Room | None:
        """The room of the booking, locked as `get(lock=True)` does; None without the booking.

        Writers of a booking lock its room first, so that they queue in the same order as
        writers of the room's other bookings and of the room itself.
        """
        ...

    async def save(self, room: Room) -> None:
        """Raises `Conflict` when the new name is taken."""
        ...

    async def search(self, filter: RoomFilter, page: PageRequest) -> Page[Room]:
        """Ordered by name; a constant number of queries whatever the page size."""
        ...

    async def selected(self, selection: RoomSelection) -> list[Room]:
        """The rooms named (in no particular order; unknown ids left out), or the active rooms
        the filter matches, best fit first: smallest capacity, then name. One statement."""
        ...


class BookingPolicyRepository(Protocol):
    async def add(self, policy: BookingPolicy) -> None:
        """Raises `AlreadyExists` when the name is taken in any letter case."""
        ...

    async def get(self, policy_id: UUID, *, lock: bool = False) -> BookingPolicy | None:
        """`lock` holds the policy's row until the transaction ends."""
        ...

    async def save(self, policy: BookingPolicy) -> None:
        """Raises `AlreadyExists` when the new name is taken."""
        ...

    async def delete(self, policy: BookingPolicy) -> None:
        """Raises `Conflict` while rooms still follow it."""
        ...

    async def search(self, page: PageRequest) -> Page[BookingPolicy]:
        """Ordered by name."""
        ...

    async def get_many(self, policy_ids: Iterable[UUID]) -> list[BookingPolicy]:
        """The policies named, in one statement; unknown ids left out."""
        ...


class BookingRepository(Protocol):
    async def add(self, booking: Booking) -> None:
        """Store a new booking; raises `SlotTaken` when the database refuses an overlap."""
        ...

    async def get(self, booking_id: UUID, *, lock: bool = False) -> Booking | None:
        """`lock` holds the booking's row until the transaction ends (see `UnitOfWork`)."""
        ...

    async def save(self, booking: Booking) -> None:
        """Raises `SlotTaken` when the database refuses an overlap."""
        ...

    async def add_many(self, bookings: Sequence[Booking]) -> None:
        """Store new bookings (a series' occurrences) in one statement; raises `SlotTaken`
        when the database refuses an overlap, and then stores none."""
        ...

    async def save_many(self, bookings: Sequence[Booking]) -> None:
        """Write back changed bookings in one statement; raises `SlotTaken` as `save` does."""
        ...

    async def of_series(self, series_ids: Sequence[UUID], *, lock: bool = False) -> list[Booking]:
        """Every occurrence of the series named, by start then id; `lock` holds their rows."""
        ...

    async def in_feed(
        self, requester_id: UUID | None, room_id: UUID | None, period: Period
    ) -> list[Booking]:
        """Every booking, whatever its status, of the requester or of the room (one of the two
        given) that overlaps `period` (of any length), by start: what a calendar feed shows.
        One statement."""
        ...

    async def times_within(self, room_id: UUID, period: Period) -> list[TimeSlot]:
        """The slots of the room's active bookings that overlap `period` (of any length), by
        start, unlocked: one statement, what a series checks its occurrences against."""
        ...

    async def search(self, filter: BookingFilter, page: PageRequest) -> Page[Booking]:
        """Ordered by start; a constant number of queries whatever the page size."""
        ...

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        """Active bookings of the room that overlap `slot`, earliest first."""
        ...

    async def active_from(
        self, room_id: UUID, instant: datetime, *, lock: bool = False
    ) -> list[Booking]:
        """Active bookings of the room that end after `instant`; `lock` holds their rows."""
        ...

    async def active_within(self, room_id: UUID, period: Period) -> list[Booking]:
        """Active bookings of the room that overlap `period` (of any length), earliest first,
        locked: a closure is about to cancel them or be refused."""
        ...

    async def count_active_of_requester(self, requester_id: UUID, instant: datetime) -> int:
        """How many active bookings of the requester end after `instant`."""
        ...

    async def overlapping_and_count_of_requester(
        self, room_id: UUID, slot: TimeSlot, requester_id: UUID, instant: datetime
    ) -> tuple[list[Booking], int]:
        """`overlapping(room_id, slot)` and `count_active_of_requester(requester_id, instant)`,
        read at once: a student's booking request needs both."""
        ...

    async def active_of_requester(self, requester_id: UUID, instant: datetime) -> list[Booking]:
        """Active bookings of the requester that end after `instant`, earliest first, locked:
        they are about to be cancelled."""
        ...

    async def usage_of_requester(
        self,
        requester_id: UUID,
        policy_id: UUID | None,
        window: tuple[datetime, datetime] | None,
        now: datetime,
        *,
        ignore: UUID | None = None,
    ) -> Usage:
        """The requester's active bookings in the rooms of the policy (`None`: the rooms
        without one), `ignore` left out: the slots of those overlapping `window` (no window:
        no slots, only the count), and how many end after `now`. One statement, whatever the
        number of bookings."""
        ...

    async def active_in_rooms(self, selection: RoomSelection, period: Period) -> list[Booking]:
        """Active bookings of the selected rooms that overlap `period` (up to a month), by
        start: one statement, whatever the number of rooms."""
        ...

    async def times_in_rooms(
        self, selection: RoomSelection, period: Period
    ) -> list[tuple[UUID, TimeSlot, BookingStatus]]:
        """`active_in_rooms` as the room, slot and status of each booking alone: what free and
        busy time needs, without reading the rest of every booking."""
        ...

    async def held_by_requester(
        self, requester_id: UUID, since: datetime
    ) -> list[tuple[UUID | None, TimeSlot]]:
        """The policy of the room (None: none, the campus defaults) and the slot of every
        active booking of the requester that ends after `since`: what the quotas of every
        policy count, in one statement."""
        ...


class BookingSeriesRepository(Protocol):
    async def add(self, series: BookingSeries) -> None: ...

    async def get(self, series_id: UUID, *, lock: bool = False) -> BookingSeries | None:
        """`lock` holds the series' row until the transaction ends."""
        ...

    async def save(self, series: BookingSeries) -> None: ...

    async def search(self, filter: SeriesFilter, page: PageRequest) -> Page[BookingSeries]:
        """Newest first (then id); a constant number of queries whatever the page size."""
        ...

    async def get_many(self, series_ids: Sequence[UUID]) -> list[BookingSeries]:
        """The series named, in one statement; unknown ids left out."""
        ...


class CalendarFeedRepository(Protocol):
    async def add(self, feed: CalendarFeed) -> None: ...

    async def get(self, feed_id: UUID) -> CalendarFeed | None: ...

    async def by_token_hash(self, token_hash: str) -> CalendarFeed | None: ...

    async def of_owner(self, owner_id: UUID) -> list[CalendarFeed]:
        """Oldest first (then id)."""
        ...

    async def delete(self, feed: CalendarFeed) -> None: ...


class IdempotencyKeyRepository(Protocol):
    async def hold(self, user_id: UUID, key: str) -> KeyRecord | None:
        """Hold the user's key until this transaction ends, and read its record (expired
        ones too). Raises `KeyInUse` at once, without waiting, if another transaction holds
        it; where writers run one at a time (SQLite), none can."""
        ...

    async def put(self, record: KeyRecord) -> None:
        """Write the record, over the key's expired one if there is one."""
        ...

    async def purge(self, now: datetime) -> int:
        """Drop every expired record; how many were dropped."""
        ...


class RecurrenceExpander(Protocol):
    def __call__(self, rule: Recurrence, first: datetime, limit: int) -> list[datetime]:
        """The naive local wall-clock starts `rule` makes from `first` (its first occurrence,
        naive too), in order, at most `limit`: COUNT applied, UNTIL left to the caller."""
        ...


class OpeningHoursRepository(Protocol):
    async def get(self, room_id: UUID) -> OpeningHours:
        """The room's hours, whole; none stored: open at all times."""
        ...

    async def between(self, room_id: UUID, first: date, last: date) -> OpeningHours:
        """The weekly windows and only the exceptions dated `first` to `last`: what a booking
        check needs, in one statement whatever the room's history of exceptions."""
        ...

    async def of_rooms(
        self, selection: RoomSelection, first: date, last: date
    ) -> dict[UUID, OpeningHours]:
        """`between(room, first, last)` of every selected room that has hours, by room id, in
        one statement; a room left out is open at all times."""
        ...

    async def replace(self, hours: OpeningHours) -> None:
        """Stores `hours` instead of whatever the room had; the room must be locked."""
        ...


class ClosureRepository(Protocol):
    async def add(self, closure: Closure) -> None:
        """Store a new closure; raises `BookingsInTheWay` when the database refuses it for an
        active booking of its room that overlaps it."""
        ...

    async def get(self, closure_id: UUID) -> Closure | None: ...

    async def delete(self, closure: Closure) -> None:
        """Removes the closure; its time is free at once."""
        ...

    async def overlapping(self, room_id: UUID, slot: TimeSlot) -> list[Closure]:
        """Closures of the room that overlap `slot`, earliest first."""
        ...

    async def search(self, filter: ClosureFilter, page: PageRequest) -> Page[Closure]:
        """Ordered by start; a constant number of queries whatever the page size."""
        ...

    async def in_rooms(self, selection: RoomSelection, period: Period) -> list[Closure]:
        """Closures of the selected rooms that overlap `period`, by start: one statement."""
        ...


class AuditRepository(Protocol):
    async def add(self, entry: AuditEntry) -> None: ...

    async def add_many(self, entries: Sequence[AuditEntry]) -> None:
        """One statement for them all."""
        ...

    async def search(self, filter: AuditFilter, page: PageRequest) -> Page[AuditEntry]:
        """Newest first; a constant number of queries whatever the page size."""
        ...


class UnitOfWork(Protocol):
    """One transaction: everything done through its repositories commits or rolls back together.

    Leaving the `async with` block without `commit()` rolls back.

    A writer locks every row it reads and then writes back, so that a concurrent writer of the
    same row waits for it and then reads what it wrote: no change is lost. Rows are locked in
    one order, so that writers cannot deadlock: the acting user (and, for changes to users,
    the other users, in id order), then rooms (in id order when several), then bookings.
    Closures are written under their room's lock alone. Where the database runs one writer
    at a time (SQLite), locking is a no-op.
    """

    # Read-only to the use-cases: each adapter holds its own repositories.
    @property
    def users(self) -> UserRepository: ...
    @property
    def rooms(self) -> RoomRepository: ...
    @property
    def bookings(self) -> BookingRepository: ...
    @property
    def opening_hours(self) -> OpeningHoursRepository: ...
    @property
    def closures(self) -> ClosureRepository: ...
    @property
    def policies(self) -> BookingPolicyRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def series(self) -> BookingSeriesRepository: ...
    @property
    def feeds(self) -> CalendarFeedRepository: ...
    @property
    def idempotency_keys(self) -> IdempotencyKeyRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        """A fresh unit of work; `read_only` lets the database skip taking the write lock."""
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """False on a mismatch; with no hash, spends the same time and returns False.

        Spending the time keeps an unknown email from answering faster than a wrong password.
        """
        ...


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: UUID
    role: Role
    token_version: int


class AccountLookup(Protocol):
    """The account behind a bearer token, read afresh for every request, outside any unit of
    work: a demotion or deactivation applies on the very next request. It is the one read
    every authenticated request makes, so adapters may give it a path of its own."""

    async def __call__(self, user_id: UUID) -> User | None: ...


class TokenService(Protocol):
    def issue(self, user: User) -> AccessToken: ...

    def verify(self, token: str) -> TokenClaims:
        """Raises `AuthenticationFailed` for any token that is not ours, whole and current."""
        ...


class FailureCounter(Protocol):
    """Attempts per key, counted in fixed windows that start at a key's first attempt.

    `reserve` counts first and answers after, in one atomic step, so that concurrent attempts
    cannot all see the count below a limit: the limit is checked against the count *including*
    this attempt, before any password is looked at.
    """

    async def reserve(self, key: str) -> tuple[int, int]:
        """Counts one more attempt; returns the count with it and the seconds left in the window."""
        ...

    async def release(self, key: str) -> None:
        """Gives one reserved attempt back (never below zero): it was refused or it succeeded."""
        ...

    async def clear(self, key: str) -> None: ...


@runtime_checkable
class DatabaseProbe(Protocol):
    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        ...


class SchemaMigrator(Protocol):
    def upgrade(self) -> tuple[str | None, str | None]:
        """Migrates the database to the latest revision; returns the revisions before and after.

        Raises `Unavailable`, its message one line for an operator, when the database cannot be
        opened: a missing database, a server that is not running, refused credentials.
        """
        ...
