"""The recurrence rules a series may follow: the subset of RFC 5545's RRULE a campus needs.

FREQ is DAILY, WEEKLY or MONTHLY, with an INTERVAL; BYDAY names weekdays for a weekly rule and
ordinal weekdays (`2TU`, `-1FR`) for a monthly one; BYMONTHDAY (1…31 or -1) is monthly only;
exactly one of COUNT and UNTIL (a date, or a UTC date-time) bounds the rule. Anything else is
refused naming `recurrence`, so a rule is never half understood. The rule is only validated
and written back here: expanding it into dates is the job of a library behind a port.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from campus_booking.domain.errors import InvalidValue

FIELD = "recurrence"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # index: date.weekday()
MAX_INTERVAL = 1000
MAX_COUNT = 10_000  # far past the occurrences a series may have: that limit is checked later
_DIGITS = re.compile(r"[0-9]{1,6}")
_BY_DAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_MONTH_DAY = re.compile(r"-?[0-9]{1,2}")
_UNTIL_DATE = re.compile(r"[0-9]{8}")
_UNTIL_UTC = re.compile(r"[0-9]{8}T[0-9]{6}Z")
_PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL")


class Frequency(StrEnum):
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"


@dataclass(frozen=True, slots=True)
class ByDay:
    """A weekday (0 = Monday, as `date.weekday()`), with its ordinal in the month for a
    monthly rule: 2 the second, -1 the last."""

    weekday: int
    ordinal: int | None = None

    def __str__(self) -> str:
        return f"{self.ordinal or ''}{WEEKDAYS[self.weekday]}"


@dataclass(frozen=True, slots=True)
class Recurrence:
    frequency: Frequency
    interval: int = 1
    by_day: tuple[ByDay, ...] = ()
    by_month_day: tuple[int, ...] = ()
    count: int | None = None
    until: date | datetime | None = None  # a date: that local day included; else aware UTC

    @classmethod
    def parse(cls, text: str) -> Recurrence:
        """Raises `InvalidValue` naming `recurrence` for whatever it does not support."""
        parts = _parts(text)
        frequency = _frequency(parts)
        rule = cls(
            frequency=frequency,
            interval=_number(parts, "INTERVAL", 1, MAX_INTERVAL) or 1,
            by_day=_by_day(parts, frequency),
            by_month_day=_by_month_day(parts, frequency),
            count=_number(parts, "COUNT", 1, MAX_COUNT),
            until=_until(parts),
        )
        if (rule.count is None) == (rule.until is None):
            raise InvalidValue(FIELD, "must have exactly one of COUNT and UNTIL")
        return rule

    def __str__(self) -> str:
        """The rule written back in one canonical form: what is stored and shown."""
        parts = [f"FREQ={self.frequency.value}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.by_day:
            parts.append("BYDAY=" + ",".join(str(day) for day in self.by_day))
        if self.by_month_day:
            parts.append("BYMONTHDAY=" + ",".join(str(day) for day in self.by_month_day))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        elif isinstance(self.until, datetime):
            parts.append(f"UNTIL={self.until.astimezone(UTC):%Y%m%dT%H%M%SZ}")
        elif self.until is not None:
            parts.append(f"UNTIL={self.until:%Y%m%d}")
        return ";".join(parts)

    def ends_by(self, start: datetime, local_start: datetime) -> bool:
        """Whether an occurrence starting at `start` (UTC; `local_start` its local wall-clock
        time) is within UNTIL, which is inclusive."""
        if isinstance(self.until, datetime):
            return start <= self.until
        return self.until is None or local_start.date() <= self.until


def _parts(text: str) -> dict[str, str]:
    body = text.strip().upper()
    body = body.removeprefix("RRULE:")
    if not body:
        raise InvalidValue(FIELD, "must not be empty")
    parts: dict[str, str] = {}
    for part in body.split(";"):
        name, equals, value = part.partition("=")
        if not equals or not value:
            raise InvalidValue(FIELD, f"{part!r} is not a NAME=VALUE part")
        if name not in _PARTS:
            raise InvalidValue(FIELD, f"{name} is not supported (only {', '.join(_PARTS)})")
        if name in parts:
            raise InvalidValue(FIELD, f"{name} is given twice")
        parts[name] = value
    return parts


def _frequency(parts: dict[str, str]) -> Frequency:
    value = parts.get("FREQ")
    if value is None:
        raise InvalidValue(FIELD, "must have a FREQ")
    try:
        return Frequency(value)
    except ValueError:
        raise InvalidValue(FIELD, "FREQ must be DAILY, WEEKLY or MONTHLY") from None


def _number(parts: dict[str, str], name: str, low: int, high: int) -> int | None:
    value = parts.get(name)
    if value is None:
        return None
    if not _DIGITS.fullmatch(value) or not low <= int(value) <= high:
        raise InvalidValue(FIELD, f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _by_day(parts: dict[str, str], frequency: Frequency) -> tuple[ByDay, ...]:
    value = parts.get("BYDAY")
    if value is None:
        return ()
    if frequency is Frequency.DAILY:
        raise InvalidValue(FIELD, "BYDAY is for WEEKLY and MONTHLY rules")
    days = []
    for item in value.split(","):
        match = _BY_DAY.fullmatch(item)
        if match is None:
            raise InvalidValue(FIELD, f"BYDAY {item!r} is not a weekday such as TU or 2TU")
        ordinal = int(match[1]) if match[1] else None
        if frequency is Frequency.WEEKLY and ordinal is not None:
            raise InvalidValue(FIELD, "BYDAY of a WEEKLY rule takes plain weekdays (TU, not 2TU)")
        if frequency is Frequency.MONTHLY and (ordinal is None or not 1 <= abs(ordinal) <= 5):
            raise InvalidValue(
                FIELD, "BYDAY of a MONTHLY rule takes an ordinal from -5 to 5 (2TU, -1FR)"
            )
        days.append(ByDay(WEEKDAYS.index(match[2]), ordinal))
    if len(set(days)) != len(days):
        raise InvalidValue(FIELD, "BYDAY names a day twice")
    return tuple(days)


def _by_month_day(parts: dict[str, str], frequency: Frequency) -> tuple[int, ...]:
    value = parts.get("BYMONTHDAY")
    if value is None:
        return ()
    if frequency is not Frequency.MONTHLY:
        raise InvalidValue(FIELD, "BYMONTHDAY is for MONTHLY rules")
    days = []
    for item in value.split(","):
        if not _MONTH_DAY.fullmatch(item) or not (1 <= int(item) <= 31 or int(item) == -1):
            raise InvalidValue(FIELD, f"BYMONTHDAY {item!r} must be from 1 to 31, or -1")
        days.append(int(item))
    if len(set(days)) != len(days):
        raise InvalidValue(FIELD, "BYMONTHDAY names a day twice")
    return tuple(days)


def _until(parts: dict[str, str]) -> date | datetime | None:
    value = parts.get("UNTIL")
    if value is None:
        return None
    try:
        if _UNTIL_DATE.fullmatch(value):
            return datetime.strptime(value, "%Y%m%d").date()
        if _UNTIL_UTC.fullmatch(value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        pass  # digits of no real date: refused below
    raise InvalidValue(FIELD, "UNTIL must be a date (20270430) or a UTC date-time (…T120000Z)")
