"""Listing filters clean their text whoever builds them, as the values they look for were."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from campus_booking.application.queries import RoomFilter, UserFilter
from campus_booking.domain.errors import InvalidValue


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: RoomFilter(building="Main\x00"), "building"),
        (lambda: RoomFilter(features=frozenset({"projector", "pro\x00jector"})), "features"),
        (lambda: UserFilter(text="ana\x00"), "text"),
        (lambda: UserFilter(text="\x1b[2J"), "text"),
    ],
    ids=["building", "features", "text", "escape sequence"],
)
def test_nul_or_control_character_in_a_filter_is_refused_naming_the_field(
    build: Callable[[], object], field: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        build()

    assert refused.value.field == field


def test_filter_text_is_cleaned_like_the_stored_text() -> None:
    assert RoomFilter(building="  Main   Hall ").building == "Main Hall"
    assert RoomFilter(features=frozenset({" Projector "})).features == {"projector"}
    assert UserFilter(text="  ana  lima ").text == "ana lima"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_blank_search_text_is_no_search(text: str | None) -> None:
    assert UserFilter(text=text).text is None
