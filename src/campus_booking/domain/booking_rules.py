"""Booking rules: what a request for a room must satisfy before its slot is even looked at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from campus_booking.domain.errors import Conflict, InvalidValue, RulesBroken, Violation
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import LONGEST_SLOT, TimeSlot
from campus_booking.domain.users import Role, User

TOO_FAR_AHEAD = "too_far_ahead"
ACTIVE_BOOKINGS_LIMIT = "active_bookings_limit"


@dataclass(frozen=True, slots=True)
class BookingRules:
    """`max_ahead`: how far ahead of now anyone may book, measured to the booking's end.
    `max_active_per_student`: how many upcoming active bookings (PENDING or APPROVED, ending
    after now) a student may hold; staff and admins are not counted."""

    max_duration: timedelta = timedelta(hours=8)
    max_ahead: timedelta = timedelta(days=365)
    max_active_per_student: int = 20

    def __post_init__(self) -> None:
        if not timedelta(0) < self.max_duration <= LONGEST_SLOT:
            raise ValueError("the maximum booking duration must be within 24 hours")
        if self.max_ahead <= timedelta(0):
            raise ValueError("the booking horizon must be positive")
        if self.max_active_per_student < 1:
            raise ValueError("a student must be allowed at least one active booking")

    def check(
        self,
        *,
        room: Room,
        slot: TimeSlot,
        attendees: int,
        now: datetime,
        active_bookings: int | None = None,
    ) -> None:
        """Raises on the first malformed value (400), then on every limit broken at once (422).

        `active_bookings` is how many upcoming active bookings the requester already holds,
        when `counts_active_bookings` says they are counted; a change of an existing booking
        passes none, as it adds no booking.
        """
        if not room.is_active:
            raise Conflict(f"Room {room.name!r} is no longer in use and cannot be booked.")
        if slot.start < now:
            raise InvalidValue("starts_at", "must not be in the past")
        if slot.duration > self.max_duration:
            hours = self.max_duration / timedelta(hours=1)
            raise InvalidValue("ends_at", f"a booking may last at most {hours:g} hours")
        if attendees > room.capacity:
            raise InvalidValue("attendees", f"the room holds at most {room.capacity} people")
        violations = self.limits_broken(slot=slot, now=now, active_bookings=active_bookings)
        if violations:
            raise RulesBroken(violations)

    def limits_broken(
        self, *, slot: TimeSlot, now: datetime, active_bookings: int | None = None
    ) -> list[Violation]:
        violations = []
        if slot.end > now + self.max_ahead:
            days = self.max_ahead / timedelta(days=1)
            violations.append(
                Violation(
                    TOO_FAR_AHEAD, "ends_at", f"a booking must end within {days:g} days from now"
                )
            )
        if active_bookings is not None and active_bookings >= self.max_active_per_student:
            violations.append(
                Violation(
                    ACTIVE_BOOKINGS_LIMIT,
                    "body",  # the request as a whole, as for any error that names no field
                    f"a student may hold at most {self.max_active_per_student} upcoming "
                    "active bookings; cancel one first",
                )
            )
        return violations

    def counts_active_bookings(self, requester: User) -> bool:
        """Only students' upcoming active bookings are limited."""
        return requester.role is Role.STUDENT
