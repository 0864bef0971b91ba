"""The schema's refusals, told in the domain's words: a duplicate, or an overlapping booking."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from campus_booking.adapters.database.tables import OVERLAP_GUARD
from campus_booking.domain.errors import AlreadyExists, SlotTaken, Unique


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


def _is_overlap_violation(error: IntegrityError) -> bool:
    """PostgreSQL's exclusion constraint (SQLSTATE 23P01) or SQLite's trigger refused a write."""
    return getattr(error.orig, "sqlstate", None) == "23P01" or OVERLAP_GUARD in str(error.orig)
