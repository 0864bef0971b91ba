"""The schema's refusals, told in the domain's words: a duplicate, an overlapping booking, a
booking in a closure or a closure over a booking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from campus_booking.adapters.database.tables import CLOSED_GUARD, CLOSURE_GUARD, OVERLAP_GUARD
from campus_booking.domain.errors import AlreadyExists, BookingsInTheWay, SlotTaken, Unique


@contextmanager
def refusing_duplicates(of: Unique) -> Iterator[None]:
    """A write that breaks a unique constraint raises `AlreadyExists(of)`."""
    try:
        yield
    except IntegrityError as error:
        raise AlreadyExists(of) from error


@contextmanager
def refusing_overlaps() -> Iterator[None]:
    """A write the overlap guard refuses raises `SlotTaken`; other integrity errors pass."""
    try:
        yield
    except IntegrityError as error:
        if _is_overlap_violation(error):
            raise SlotTaken() from error
        raise


@contextmanager
def refusing_closures_over_bookings() -> Iterator[None]:
    """A closure the guard refuses raises `BookingsInTheWay`; other integrity errors pass."""
    try:
        yield
    except IntegrityError as error:
        if CLOSURE_GUARD in str(error.orig):
            raise BookingsInTheWay() from error
        raise


def _is_overlap_violation(error: IntegrityError) -> bool:
    """PostgreSQL's exclusion constraint (SQLSTATE 23P01), or a trigger of either database,
    refused a booking for another booking or a closure of its room."""
    message = str(error.orig)
    return (
        getattr(error.orig, "sqlstate", None) == "23P01"
        or OVERLAP_GUARD in message
        or CLOSED_GUARD in message
    )
