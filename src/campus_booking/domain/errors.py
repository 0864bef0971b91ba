"""Domain errors: what went wrong, in the language of the domain.

The HTTP adapter maps each class to a status code in one place; nothing here knows about HTTP.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from uuid import UUID


class DomainError(Exception):
    """Base of every error the domain and the use-cases raise on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing asked for does not exist, or the caller may not know that it does."""


class Conflict(DomainError):
    """The request clashes with the current state: a duplicate, an overlap, a taken slot."""


class Unique(Enum):
    """Values no two entities may share, each worded as the subject of `AlreadyExists`."""

    ACCOUNT_EMAIL = "An account with this email"
    ROOM_NAME = "A room with this name"
    POLICY_NAME = "A booking policy with this name"


class AlreadyExists(Conflict):
    """Another entity already holds a value that must be unique; `duplicated` says which."""

    def __init__(self, duplicated: Unique) -> None:
        super().__init__(f"{duplicated.value} already exists.")
        self.duplicated = duplicated


class SlotTaken(Conflict):
    """The slot overlaps active bookings of the room, or its closures.

    `conflicts` holds the bookings' times only; `closures` each closure's times and reason,
    which are public. Both empty: the database refused the write, and the caller looks them up.
    """

    def __init__(
        self,
        conflicts: Sequence[tuple[datetime, datetime]] = (),
        closures: Sequence[tuple[datetime, datetime, str]] = (),
    ) -> None:
        super().__init__(
            "The room is closed at that time."
            if closures and not conflicts
            else "The room is already booked at that time."
        )
        self.conflicts = list(conflicts)
        self.closures = list(closures)

    @property
    def explained(self) -> bool:
        return bool(self.conflicts or self.closures)


@dataclass(frozen=True, slots=True)
class BookingInTheWay:
    """An active booking a new closure would overlap: staff may see which one it is."""

    booking_id: UUID
    room_id: UUID
    starts_at: datetime
    ends_at: datetime


class BookingsInTheWay(Conflict):
    """A closure overlaps active bookings of its room and was not asked to cancel them.

    Empty `bookings`: the database refused the closure, and the caller looks them up.
    """

    def __init__(self, bookings: Sequence[BookingInTheWay] = ()) -> None:
        super().__init__(
            "Active bookings overlap the closure; see `conflicts`, or close with "
            "cancel_conflicting=true to cancel them."
        )
        self.bookings = list(bookings)


class InvalidTransition(Conflict):
    """An entity was asked to move to a state it cannot reach from where it is."""


class PermissionDenied(DomainError):
    """The caller is known but may not do this."""


class AuthenticationFailed(DomainError):
    """The caller could not be identified: bad credentials or an unusable token.

    One class, one message for every cause, so that a client cannot tell an unknown
    account from a wrong password.
    """

    def __init__(self, message: str = "Invalid credentials.") -> None:
        super().__init__(message)


class InvalidValue(DomainError):
    """A value breaks a rule of the domain; `field` names the input it came from."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule a request breaks: a stable `code` for programs, the `field` it is about, a
    `message` for people, and `details` such as the `limit` and the `actual` value."""

    code: str
    field: str
    message: str
    details: Mapping[str, int | str] = dataclasses.field(default_factory=dict, hash=False)


class RulesBroken(DomainError):
    """A well-formed request breaks rules of the domain; `violations` lists every one of them."""

    def __init__(
        self,
        violations: Sequence[Violation],
        message: str = "The request breaks one or more rules; see `violations`.",
    ) -> None:
        if not violations:
            raise ValueError("RulesBroken needs at least one violation")
        super().__init__(message)
        self.violations = list(violations)


class TooManyAttempts(DomainError):
    """Too many attempts (failed sign-ins, sign-ups) for an account or from a client;
    `retry_after` is in seconds."""

    def __init__(
        self, retry_after: int, message: str = "Too many failed sign-in attempts; try again later."
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(DomainError):
    """Something the service depends on (its database) is not answering; retrying may work."""

    def __init__(self, message: str, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Overloaded(DomainError):
    """Too much costly work (password hashing) is already waiting; `retry_after` in seconds.

    Refusing at once keeps a flood from queueing everyone behind it.
    """

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after
