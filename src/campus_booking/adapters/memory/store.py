"""The committed state of the in-memory fakes, as a database holds it between transactions."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from uuid import UUID

from campus_booking.application.idempotency import KeyRecord
from campus_booking.domain.audit import AuditEntry
from campus_booking.domain.booking_policies import BookingPolicy
from campus_booking.domain.bookings import Booking
from campus_booking.domain.calendar_feeds import CalendarFeed
from campus_booking.domain.closures import Closure
from campus_booking.domain.opening_hours import OpeningHours
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import BookingSeries
from campus_booking.domain.users import User


@dataclass
class Tables:
    """Every row of the store: one value, so that a commit can publish it in one assignment."""

    users: dict[UUID, User] = field(default_factory=dict)
    rooms: dict[UUID, Room] = field(default_factory=dict)
    bookings: dict[UUID, Booking] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    closures: dict[UUID, Closure] = field(default_factory=dict)
    opening_hours: dict[UUID, OpeningHours] = field(default_factory=dict)
    policies: dict[UUID, BookingPolicy] = field(default_factory=dict)
    series: dict[UUID, BookingSeries] = field(default_factory=dict)
    feeds: dict[UUID, CalendarFeed] = field(default_factory=dict)
    idempotency_keys: dict[tuple[UUID, str], KeyRecord] = field(default_factory=dict)


class MemoryStore:
    """Tests seed and inspect `users`, `rooms`, `bookings`, `closures`, `opening_hours`,
    `audit`, `policies`, `series`, `feeds` and `idempotency_keys`; `commits` counts commits."""

    def __init__(
        self,
        *,
        users: dict[UUID, User] | None = None,
        rooms: dict[UUID, Room] | None = None,
        bookings: dict[UUID, Booking] | None = None,
        audit: list[AuditEntry] | None = None,
        closures: dict[UUID, Closure] | None = None,
        policies: dict[UUID, BookingPolicy] | None = None,
        series: dict[UUID, BookingSeries] | None = None,
        feeds: dict[UUID, CalendarFeed] | None = None,
    ) -> None:
        self._tables = Tables(
            users or {},
            rooms or {},
            bookings or {},
            audit or [],
            closures or {},
            policies=policies or {},
            series=series or {},
            feeds=feeds or {},
        )
        self.commits = 0
        self.held_keys: set[tuple[UUID, str]] = set()  # idempotency keys held by open units

    @property
    def users(self) -> dict[UUID, User]:
        return self._tables.users

    @property
    def rooms(self) -> dict[UUID, Room]:
        return self._tables.rooms

    @property
    def bookings(self) -> dict[UUID, Booking]:
        return self._tables.bookings

    @property
    def opening_hours(self) -> dict[UUID, OpeningHours]:
        """By room; a room without an entry is open at all times."""
        return self._tables.opening_hours

    @property
    def closures(self) -> dict[UUID, Closure]:
        return self._tables.closures

    @property
    def audit(self) -> list[AuditEntry]:
        return self._tables.audit

    @property
    def policies(self) -> dict[UUID, BookingPolicy]:
        return self._tables.policies

    @property
    def series(self) -> dict[UUID, BookingSeries]:
        return self._tables.series

    @property
    def feeds(self) -> dict[UUID, CalendarFeed]:
        return self._tables.feeds

    @property
    def idempotency_keys(self) -> dict[tuple[UUID, str], KeyRecord]:
        return self._tables.idempotency_keys

    def snapshot(self) -> Tables:
        """A private copy to edit: nothing done to it shows until it is published."""
        return copy.deepcopy(self._tables)

    def publish(self, tables: Tables) -> None:
        """`tables` become the committed state, whole: a commit is all or nothing."""
        self._tables = tables
        self.commits += 1
