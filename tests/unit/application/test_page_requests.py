"""Page requests hold their bounds whoever builds them, not only the HTTP edge."""

from __future__ import annotations

import pytest

from campus_booking.application.queries import MAX_OFFSET, MAX_PAGE_SIZE, PageRequest
from campus_booking.domain.errors import InvalidValue


@pytest.mark.parametrize(("limit", "offset"), [(1, 0), (MAX_PAGE_SIZE, MAX_OFFSET)])
def test_the_bounds_themselves_are_accepted(limit: int, offset: int) -> None:
    assert PageRequest(limit=limit, offset=offset) == PageRequest(limit, offset)


@pytest.mark.parametrize(
    ("limit", "offset", "field"),
    [
        (0, 0, "limit"),
        (MAX_PAGE_SIZE + 1, 0, "limit"),
        (10, -1, "offset"),
        (10, MAX_OFFSET + 1, "offset"),
    ],
)
def test_values_outside_the_bounds_are_refused_naming_the_field(
    limit: int, offset: int, field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        PageRequest(limit=limit, offset=offset)

    assert refused.value.field == field
