"""The campus defaults: the limits of a room that has no booking policy of its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from campus_booking.domain.booking_checks import ACTIVE_BOOKINGS_LIMIT, TOO_FAR_AHEAD
from campus_booking.domain.booking_policies import MAX_ACTIVE_BOOKINGS, BookingPolicy, PolicyLimits
from campus_booking.domain.time_slots import LONGEST_SLOT
from campus_booking.domain.users import Role, User

__all__ = ["ACTIVE_BOOKINGS_LIMIT", "TOO_FAR_AHEAD", "BookingRules"]


@dataclass(frozen=True, slots=True)
class BookingRules:
    """From the settings. `max_ahead`: how far ahead of now anyone may book, measured to the
    booking's end. `max_active_per_student`: how many upcoming active bookings (PENDING or
    APPROVED, ending after now) a student may hold in rooms without a policy; staff and admins
    are not counted, as before policies existed."""

    max_duration: timedelta = timedelta(hours=8)
    max_ahead: timedelta = timedelta(days=365)
    max_active_per_student: int = 20

    def __post_init__(self) -> None:
        if not timedelta(0) < self.max_duration <= LONGEST_SLOT:
            raise ValueError("the maximum booking duration must be within 24 hours")
        if self.max_ahead <= timedelta(0):
            raise ValueError("the booking horizon must be positive")
        if not 1 <= self.max_active_per_student <= MAX_ACTIVE_BOOKINGS:
            raise ValueError(
                f"a student's active bookings must be limited to 1 to {MAX_ACTIVE_BOOKINGS}"
            )

    def limits_for(self, policy: BookingPolicy | None, requester: User) -> PolicyLimits:
        """The policy's limits, which bind everyone; without one, the campus defaults."""
        if policy is not None:
            return policy.limits
        return PolicyLimits(
            max_duration_minutes=int(self.max_duration // timedelta(minutes=1)),
            max_advance_days=max(1, int(self.max_ahead // timedelta(days=1))),
            max_active_bookings=(
                self.max_active_per_student if requester.role is Role.STUDENT else None
            ),
        )
