"""Invisible and look-alike text: every name, title and reason a person types is refused with
an invisible format character in it (Unicode category Cf), and room names fold look-alikes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from campus_booking.domain.bookings import Booking, clean_reason
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.rooms import Room, clean_building, clean_features, clean_room_name
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import clean_full_name

NOW = datetime(2030, 1, 15, 9, 0, tzinfo=UTC)

INVISIBLE = {
    "zero-width space": "Lab\u200b X",
    "only zero-width spaces": "\u200b\u200b\u200b",
    "right-to-left override": "Lab \u202eX",
    "soft hyphen": "La\u00adb",
    "byte order mark": "\ufeffLab",
    "word joiner": "Lab\u2060X",
}


def title(text: str) -> str:
    booking = Booking.request(
        room_id=uuid4(),
        requester_id=uuid4(),
        slot=TimeSlot(datetime(2030, 1, 16, 9, tzinfo=UTC), datetime(2030, 1, 16, 10, tzinfo=UTC)),
        title=text,
        attendees=1,
        needs_approval=False,
        now=NOW,
    )
    return booking.title


CLEANERS: dict[str, tuple[Callable[[str], object], str]] = {
    "room name": (clean_room_name, "name"),
    "building": (clean_building, "building"),
    "full name": (clean_full_name, "full_name"),
    "title": (title, "title"),
    "reason": (clean_reason, "reason"),
    "feature tag": (lambda tag: clean_features([tag]), "features"),
}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=list(INVISIBLE))
@pytest.mark.parametrize(("clean", "field"), CLEANERS.values(), ids=list(CLEANERS))
def test_invisible_format_character_is_refused_naming_the_field(
    clean: Callable[[str], object], field: str, text: str
) -> None:
    with pytest.raises(InvalidValue) as refused:
        clean(text)

    assert refused.value.field == field


@pytest.mark.parametrize(
    "spelling",
    ["Ｌａｂ", "ＬＡＢ", "𝐋𝐚𝐛", "Lab\u3000", "ℒab"],  # noqa: RUF001
    ids=["full-width", "full-width upper", "mathematical bold", "ideographic space", "script L"],
)
def test_room_names_and_buildings_fold_compatible_look_alikes(spelling: str) -> None:
    """NFKC: the unique index on lower(name) then sees `Lab` and refuses a second one."""
    assert clean_room_name(spelling).lower() == "lab"
    assert clean_building(spelling).lower() == "lab"


def test_canonically_equivalent_spellings_are_stored_alike() -> None:
    """A precomposed é and e + a combining accent look the same: they are one spelling."""
    decomposed = "Cafe\u0301"
    assert clean_room_name(decomposed) == clean_full_name(decomposed) == "Caf\u00e9"
    assert title(decomposed) == clean_reason(decomposed) == "Caf\u00e9"


def test_a_room_created_or_renamed_with_a_full_width_name_is_stored_folded() -> None:
    room = Room.create(name="Ｌａｂ １", building="Ｍａｉｎ", capacity=3, now=NOW, by=None)  # noqa: RUF001
    assert (room.name, room.building) == ("Lab 1", "Main")

    room.update(name="Ｓｅｍｉｎａｒ", by=uuid4(), at=NOW)  # noqa: RUF001
    assert room.name == "Seminar"


def test_full_names_keep_their_compatibility_characters() -> None:
    """Only names that must be unique are folded; a person's name keeps its spelling."""
    assert clean_full_name("Ana Ⅳ") == "Ana Ⅳ"
