"""A room's time zone is an IANA name the time zone database knows, spelled as it spells it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_zones import check_time_zone
from tests.unit.builders import NOW, a_room


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"])
def test_iana_names_are_kept(name: str) -> None:
    assert check_time_zone(name) == name


@pytest.mark.parametrize(
    "name", ["", "Mars/Olympus", "europe/berlin", " UTC", "../etc/passwd", "/UTC", "zone.tab"]
)
def test_anything_else_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_time_zone(name)

    assert refused.value.field == "time_zone"


def test_a_new_room_takes_the_zone_given_and_its_rules_read_it() -> None:
    room = Room.create(
        name="Oak", building="Main", capacity=4, now=NOW, time_zone="Europe/Berlin", by=None
    )

    assert room.time_zone == "Europe/Berlin"
    winter_noon = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)
    assert winter_noon.astimezone(room.zone).hour == 12


def test_a_room_is_utc_unless_told() -> None:
    assert Room.create(name="Oak", building="Main", capacity=4, now=NOW, by=None).time_zone == "UTC"


def test_changing_the_zone_is_checked_and_recorded() -> None:
    room = a_room()

    with pytest.raises(InvalidValue):
        room.update(time_zone="Nowhere/Land", by=room.id, at=NOW)
    assert room.time_zone == "UTC"
    room.update(time_zone="America/New_York", by=room.id, at=NOW)

    assert room.time_zone == "America/New_York"
    assert room.events[-1].after == {"time_zone": "America/New_York"}
