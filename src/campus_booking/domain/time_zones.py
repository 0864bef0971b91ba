"""Time zones: every local-time rule of a room is evaluated in its own IANA zone."""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from campus_booking.domain.errors import InvalidValue


@cache
def known_time_zones() -> frozenset[str]:
    """Read once (about 0.1 s): the names of the time zone database, system's or `tzdata`'s."""
    return frozenset(available_timezones())


def check_time_zone(name: str, field: str = "time_zone") -> str:
    """An IANA name as the database spells it (`Europe/Berlin`, `UTC`): names are
    case-sensitive, so `europe/berlin` is refused rather than guessed."""
    if name not in known_time_zones():
        raise InvalidValue(field, f"{name!r} is not an IANA time zone name such as Europe/Berlin")
    return name


def zone_of(name: str) -> ZoneInfo:
    """The zone of a checked name; `ZoneInfo` caches each zone, so this is a look-up."""
    return ZoneInfo(name)
