"""A series of bookings: one recurrence rule in a time zone, each occurrence a booking.

Occurrences keep the first one's local wall-clock times, so a Tuesday 10:00 Berlin series is
09:00Z in winter and 08:00Z in summer. A local time that does not exist (a DST gap) is read
with the offset before the gap, and a repeated one as its first occurrence, as RFC 5545
(section 3.3.5) says and calendar apps do: a feed of the series then shows the same instants.
The rule's dates come from a library behind a port; what is decided here is which of them the
series holds and at what instants.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from campus_booking.domain.bookings import Booking, BookingStatus, check_attendees, clean_title
from campus_booking.domain.errors import DomainError, InvalidValue, Violation
from campus_booking.domain.events import (
    BookingSeriesChanged,
    BookingSeriesCreated,
    DomainEvent,
    Fields,
    RecordsEvents,
)
from campus_booking.domain.recurrence import Recurrence
from campus_booking.domain.time_slots import LONGEST_SLOT, TimeSlot

MAX_OCCURRENCES = 500


def expansion_limit(exdates: Sequence[date]) -> int:
    """How many dates to ask of the rule: enough to tell a series over the limit."""
    return MAX_OCCURRENCES + len(exdates) + 1


# Occurrences keep this far from the ends of the calendar (years 1 and 9999): a zone's
# offset, a night past midnight and the fortnight the quotas look at then never run off it.
CALENDAR_MARGIN = timedelta(days=15)
_EARLIEST = datetime.min.replace(tzinfo=UTC) + CALENDAR_MARGIN
_LATEST = datetime.max.replace(tzinfo=UTC) - CALENDAR_MARGIN
_PAST_THE_CALENDAR = f"runs to within {CALENDAR_MARGIN.days} days of the calendar's end (9999)"


def first_local_start(first: TimeSlot, zone: ZoneInfo) -> datetime:
    """The first occurrence's local wall-clock start, from which the rule is expanded; raises
    `InvalidValue` for a start too near the ends of the calendar to expand a series from."""
    if not _EARLIEST <= first.start <= _LATEST:
        raise InvalidValue(
            "starts_at",
            f"must be more than {CALENDAR_MARGIN.days} days inside the calendar (years 1 to 9999)",
        )
    return local_wall_time(first.start, zone)


def local_wall_time(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def instant_of(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time: fold 0 is the first of a repeated hour, and in a
    gap it reads the offset before the gap (02:30 in a 02:00→03:00 gap is 03:30)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def occurrence_slots(
    first: TimeSlot,
    zone: ZoneInfo,
    rule: Recurrence,
    local_starts: Iterable[datetime],
    exdates: Sequence[date] = (),
) -> list[TimeSlot]:
    """The series' slots from the rule's local start times (the first is `first`'s), up to
    UNTIL, less the `exdates`. Raises `InvalidValue` for a first slot that is not the rule's
    first occurrence (or not what its own wall-clock times read: a time in the second of a
    repeated hour), a rule that makes no occurrence from it (UNTIL before it), an exdate that
    is not a date of the series, or too many occurrences."""
    first_local = first_local_start(first, zone)
    wall_length = local_wall_time(first.end, zone) - first_local
    excluded = _exdates(exdates)
    slots: list[TimeSlot] = []
    found: set[date] = set()
    expanded = 0
    for index, local in enumerate(local_starts):
        expanded = index + 1
        if index == 0 and local != first_local:
            raise InvalidValue("starts_at", "must be the first occurrence of the recurrence")
        if local > _LATEST.replace(tzinfo=None):
            raise InvalidValue("recurrence", _PAST_THE_CALENDAR)
        start = instant_of(local, zone)
        slot = _slot(start, instant_of(local + wall_length, zone), first)
        if index == 0 and slot != first:  # the wall-clock time is read as its first instant
            raise InvalidValue(
                "starts_at" if slot.start != first.start else "ends_at",
                "is in the second of a repeated hour (DST ends), which a series reads as the "
                "first: give the first",
            )
        if not rule.ends_by(start, local):
            break
        if local.date() in excluded:
            found.add(local.date())
            continue
        slots.append(slot)
        if len(slots) > MAX_OCCURRENCES:
            raise InvalidValue("recurrence", f"makes more than {MAX_OCCURRENCES} occurrences")
    if rule.count is not None and expanded < rule.count:  # the calendar ended first
        raise InvalidValue("recurrence", _PAST_THE_CALENDAR)
    if not slots and not found:
        raise InvalidValue(
            "recurrence", "makes no occurrence from starts_at on (is UNTIL before it?)"
        )
    for index, day in enumerate(exdates):
        if day not in found:
            raise InvalidValue(f"exdates[{index}]", "is not a date of the series")
    if not slots:
        raise InvalidValue("exdates", "leave no occurrence")
    return slots


def slot_on(first: TimeSlot, zone: ZoneInfo, day: date) -> TimeSlot:
    """The occurrence on local date `day` at `first`'s local times."""
    first_local = local_wall_time(first.start, zone)
    wall_length = local_wall_time(first.end, zone) - first_local
    local = datetime.combine(day, first_local.time())
    return _slot(instant_of(local, zone), instant_of(local + wall_length, zone), first)


def _exdates(exdates: Sequence[date]) -> set[date]:
    seen: set[date] = set()
    for index, day in enumerate(exdates):
        if day in seen:
            raise InvalidValue(f"exdates[{index}]", "is given twice")
        seen.add(day)
    return seen


def _slot(start: datetime, end: datetime, first: TimeSlot) -> TimeSlot:
    """Where DST bends the wall-clock end out of shape (an end in a gap before its start, a
    night stretched past a day), the occurrence keeps the first one's length instead."""
    if not start < end <= start + LONGEST_SLOT:
        end = start + first.duration
    return TimeSlot(start, end)


@dataclass(frozen=True, slots=True)
class Blocked:
    """What keeps one occurrence from being booked: bookings in the way (their times only),
    closures (times and reason), and every rule it breaks."""

    slot: TimeSlot
    conflicts: tuple[tuple[datetime, datetime], ...] = ()
    closures: tuple[tuple[datetime, datetime, str], ...] = ()
    violations: tuple[Violation, ...] = ()

    @property
    def clashes(self) -> bool:
        return bool(self.conflicts or self.closures)


class SeriesBlocked(DomainError):
    """Occurrences of a series that cannot be booked, each with why. A clash with a booking or
    a closure makes it a conflict; rules alone, a refusal of a well-formed request."""

    def __init__(self, blocked: Sequence[Blocked]) -> None:
        if not blocked:
            raise ValueError("SeriesBlocked needs at least one blocked occurrence")
        super().__init__(
            "Some occurrences of the series cannot be booked; see `occurrences`."
            if len(blocked) > 1
            else "The occurrence cannot be booked; see `occurrences`."
        )
        self.blocked = list(blocked)

    @property
    def clashes(self) -> bool:
        return any(blocked.clashes for blocked in self.blocked)


class SeriesStatus(StrEnum):
    """Read off the occurrences: PENDING while any that has not ended awaits a decision,
    APPROVED if any holds (or held) its time, else REJECTED if every decided one was rejected,
    else CANCELLED. One that ended undecided awaits nothing, so it counts only where every
    occurrence did (the series is then PENDING, as they are)."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"

    @classmethod
    def of(cls, occurrences: Iterable[Booking], now: datetime) -> SeriesStatus:
        seen = {
            booking.status
            for booking in occurrences
            if booking.status is not BookingStatus.PENDING or booking.slot.end > now
        }
        if not seen:
            return cls.PENDING
        for status in (BookingStatus.PENDING, BookingStatus.APPROVED):
            if status in seen:
                return cls(status.value)
        if seen == {BookingStatus.REJECTED}:
            return cls.REJECTED
        return cls.CANCELLED


@dataclass(eq=False, slots=True)
class BookingSeries(RecordsEvents):
    """The rule and what it was asked with; its occurrences are bookings with its id.

    `first` is the first occurrence as asked: every other keeps its local times. `skipped`
    holds the occurrences that could not be booked when the series was made, with why.
    """

    room_id: UUID
    requester_id: UUID
    title: str
    attendees: int
    time_zone: str
    recurrence: Recurrence
    exdates: tuple[date, ...]
    first: TimeSlot
    created_at: datetime
    skipped: list[Blocked] = field(default_factory=list)
    id: UUID = field(default_factory=uuid4)
    events: list[DomainEvent] = field(default_factory=list, kw_only=True, repr=False, compare=False)

    @classmethod
    def create(
        cls,
        *,
        room_id: UUID,
        requester_id: UUID,
        title: str,
        attendees: int,
        time_zone: str,
        recurrence: Recurrence,
        exdates: Sequence[date],
        first: TimeSlot,
        skipped: Sequence[Blocked],
        now: datetime,
    ) -> BookingSeries:
        series = cls(
            room_id=room_id,
            requester_id=requester_id,
            title=clean_title(title),
            attendees=check_attendees(attendees),
            time_zone=time_zone,
            recurrence=recurrence,
            exdates=tuple(sorted(exdates)),
            first=first,
            created_at=now,
            skipped=list(skipped),
        )
        series._record(BookingSeriesCreated, by=requester_id, at=now, after=series.trail_fields())
        return series

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BookingSeries) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def trail_fields(self) -> Fields:
        return {
            "room_id": str(self.room_id),
            "requester_id": str(self.requester_id),
            "title": self.title,
            "attendees": self.attendees,
            "time_zone": self.time_zone,
            "recurrence": str(self.recurrence),
            "exdates": [day.isoformat() for day in self.exdates],
            "starts_at": self.first.start.isoformat(),
            "ends_at": self.first.end.isoformat(),
            "skipped": [blocked.slot.start.isoformat() for blocked in self.skipped],
        }

    def change(
        self,
        *,
        title: str | None = None,
        attendees: int | None = None,
        first: TimeSlot | None = None,
        skipped: Sequence[Blocked] | None = None,
        by: UUID,
        at: datetime,
    ) -> None:
        before = self.trail_fields()
        if title is not None:
            self.title = clean_title(title)
        if attendees is not None:
            self.attendees = check_attendees(attendees)
        if first is not None:
            self.first = first
        if skipped is not None:
            self.skipped = list(skipped)
        self._record_change(BookingSeriesChanged, before, by=by, at=at)

    def slot_on(self, day: date) -> TimeSlot:
        return slot_on(self.first, self.zone, day)

    def unskip(self, day: date, *, by: UUID, at: datetime) -> None:
        """The occurrence of local date `day` is booked after all: it is skipped no more."""
        zone = self.zone
        kept = [b for b in self.skipped if local_wall_time(b.slot.start, zone).date() != day]
        if len(kept) != len(self.skipped):
            self.change(skipped=kept, by=by, at=at)
