"""Properties of a series' occurrence times, checked against an oracle on aware datetimes.

The oracle hands the canonical rule text to dateutil's own parser (`rrulestr`) with an aware
DTSTART in the series' zone. Python's aware arithmetic keeps wall-clock times, and
`astimezone` reads a time in a gap or a repeated hour with fold 0 (the offset before the
change): exactly what a series promises. A date UNTIL is the end of that local day there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import islice
from zoneinfo import ZoneInfo

import pytest
from dateutil import rrule
from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st

from campus_booking.adapters.recurrence import expand_recurrence
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.recurrence import WEEKDAYS, Recurrence
from campus_booking.domain.series import (
    MAX_OCCURRENCES,
    expansion_limit,
    local_wall_time,
    occurrence_slots,
)
from campus_booking.domain.time_slots import LONGEST_SLOT, TimeSlot

ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # clocks move by 30 minutes
    "Asia/Kolkata",
    "UTC",
    "America/Santiago",  # clocks change at midnight
]
FIRST_DAY, LAST_DAY = date(2026, 1, 1), date(2028, 12, 31)
# Wall-clock times near midnight and the hours the clocks change at, in any of the zones.
CHANGE_TIMES = [time(h, m) for h in (0, 1, 2, 3, 23) for m in (0, 15, 30, 45)]
ORDINALS = [*range(-5, 0), *range(1, 6)]
MONTH_DAYS = [*range(1, 32), -1]
YEAR = timedelta(days=366)


@cache
def change_days(name: str) -> list[date]:
    """The days in 2026-2028 whose noon offset differs from the day before's."""
    zone = ZoneInfo(name)
    days, day = [], FIRST_DAY
    while day <= LAST_DAY:
        noon = datetime.combine(day, time(12), tzinfo=zone)
        if noon.utcoffset() != (noon - timedelta(days=1)).utcoffset():
            days.append(day)
        day += timedelta(days=1)
    return days


@cache
def odd_moments(name: str) -> list[datetime]:
    """The naive wall-clock times a change of the clocks skips or repeats in the zone, on the
    quarter hour and at either end (02:00, 02:15, ... 02:59 in Berlin's March gap)."""
    zone = ZoneInfo(name)
    moments = []
    for change in change_days(name):
        odd = []
        local = datetime.combine(change - timedelta(days=1), time(0))
        while local.date() <= change:
            first, second = local.replace(tzinfo=zone), local.replace(tzinfo=zone, fold=1)
            skipped = local_wall_time(first.astimezone(UTC), zone) != local
            if skipped or first.utcoffset() != second.utcoffset():
                odd.append(local)
            local += timedelta(minutes=1)
        moments += sorted({odd[0], odd[-1], *(t for t in odd if t.minute % 15 == 0)})
    return moments


@st.composite
def start_days(draw: st.DrawFn, name: str) -> date:
    """Any day, or one a few weeks (same weekday) or days before a change of the clocks."""
    if not change_days(name) or draw(st.booleans()):
        return draw(st.dates(FIRST_DAY, LAST_DAY))
    change = draw(st.sampled_from(change_days(name)))
    before = draw(st.one_of(st.integers(1, 10).map(lambda w: 7 * w), st.integers(1, 40)))
    return change - timedelta(days=before)


@st.composite
def wall_times(draw: st.DrawFn, name: str) -> time:
    """Often a time the clocks skip or repeat in the zone, else any whole minute."""
    if bool(change_days(name)) and draw(st.booleans()):
        return draw(st.sampled_from(odd_moments(name))).time()
    return draw(
        st.one_of(
            st.sampled_from(CHANGE_TIMES),
            st.builds(time, st.integers(0, 23), st.integers(0, 59)),
        )
    )


durations = st.one_of(
    st.integers(15, 8 * 60).map(lambda minutes: timedelta(minutes=minutes)),
    st.sampled_from([timedelta(hours=23, minutes=30), timedelta(hours=24)]),  # a night the
)  # clocks change in is longer or shorter: then the first length is kept


@st.composite
def rule_bodies(draw: st.DrawFn) -> str:
    """FREQ, INTERVAL and the BY parts: COUNT or UNTIL is added once the first is known."""
    frequency = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]))
    parts = [f"FREQ={frequency}"]
    interval = draw(st.integers(1, 4))
    if interval != 1 or draw(st.booleans()):
        parts.append(f"INTERVAL={interval}")
    if frequency == "WEEKLY" and draw(st.booleans()):
        days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=4, unique=True))
        parts.append("BYDAY=" + ",".join(days))
    if frequency == "MONTHLY":
        kind = draw(st.sampled_from(["plain", "byday", "bymonthday", "both"]))
        if kind == "byday":
            pairs = draw(
                st.lists(
                    st.tuples(st.sampled_from(ORDINALS), st.sampled_from(WEEKDAYS)),
                    min_size=1,
                    max_size=3,
                    unique=True,
                )
            )
            parts.append("BYDAY=" + ",".join(f"{n}{d}" for n, d in pairs))
        elif kind == "bymonthday":
            month_days = draw(
                st.lists(st.sampled_from(MONTH_DAYS), min_size=1, max_size=3, unique=True)
            )
            parts.append("BYMONTHDAY=" + ",".join(map(str, month_days)))
        elif kind == "both":  # both must hold: "Friday the 13th" as 2FR on the 13th
            day = draw(st.integers(1, 31))
            parts.append(f"BYDAY={(day - 1) // 7 + 1}{draw(st.sampled_from(WEEKDAYS))}")
            parts.append(f"BYMONTHDAY={day}")
    return ";".join(parts)


@dataclass(frozen=True)
class Case:
    zone: ZoneInfo
    rule: Recurrence
    first: TimeSlot
    first_local: datetime  # naive wall-clock time of the first start
    wall_length: timedelta  # from the first start's wall-clock time to its end's


def aware(naive: datetime, zone: ZoneInfo) -> datetime:
    return naive.replace(tzinfo=zone)


@dataclass(frozen=True)
class Draft:
    """A rule without its COUNT or UNTIL, a wall-clock time to start from, and what the
    bound must reach: a date, and how many occurrences there are until it."""

    zone: ZoneInfo
    body: str
    candidate: datetime
    reach: date | None = None
    occurrences_to_reach: int = 1


@st.composite
def any_drafts(draw: st.DrawFn) -> Draft:
    name = draw(st.sampled_from(ZONES))
    candidate = datetime.combine(draw(start_days(name)), draw(wall_times(name)))
    return Draft(ZoneInfo(name), draw(rule_bodies()), candidate)


@st.composite
def dst_drafts(draw: st.DrawFn) -> Draft:
    """A daily or weekly rule that comes, a few occurrences on, to a time the clocks skip or
    repeat: the cases the property is most about, which random rules seldom reach."""
    name = draw(st.sampled_from([name for name in ZONES if change_days(name)]))
    odd = draw(st.sampled_from(odd_moments(name)))
    frequency = draw(st.sampled_from(["DAILY", "WEEKLY"]))
    interval = draw(st.integers(1, 4))
    body = f"FREQ={frequency};INTERVAL={interval}"
    per_step = 1
    if frequency == "WEEKLY" and draw(st.booleans()):
        others = draw(st.lists(st.sampled_from(WEEKDAYS), max_size=3, unique=True))
        days = [WEEKDAYS[odd.weekday()], *(d for d in others if d != WEEKDAYS[odd.weekday()])]
        body += ";BYDAY=" + ",".join(days)
        per_step = len(days)
    steps = draw(st.integers(0, 8))
    start = odd - steps * interval * timedelta(days=1 if frequency == "DAILY" else 7)
    # or a little earlier, so that the occurrence spans the change
    start -= timedelta(minutes=draw(st.sampled_from([0, 0, 0, 15, 30, 60, 90, 120, 180])))
    return Draft(ZoneInfo(name), body, start, odd.date(), steps * per_step + 1)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    draft = draw(st.one_of(any_drafts(), dst_drafts()))
    zone, body = draft.zone, draft.body
    # The first occurrence, as dateutil makes it from the candidate: the series' starts_at.
    # (Looked for in two years only: BYDAY=5MO;BYMONTHDAY=1 never comes, and to find that
    # dateutil would go on to the year 9999.)
    candidate = draft.candidate
    bare = rrule.rrulestr(body, dtstart=candidate)
    assert isinstance(bare, rrule.rrule)
    horizon = bare.replace(until=candidate + 2 * YEAR)
    opening = list(islice(horizon, 1))
    assume(opening)
    # An instant has no wall-clock time in a gap: a first start drawn in one is read at the
    # offset before it, as a client would send it (02:30 in Berlin's gap is 03:30 CEST).
    first_local = local_wall_time(aware(opening[0], zone).astimezone(UTC), zone)
    assert first_local.date() == opening[0].date()
    length = draw(durations)
    first_start = aware(first_local, zone).astimezone(UTC)
    first_end = aware(first_local + length, zone).astimezone(UTC)
    assume(first_end - first_start <= LONGEST_SLOT)  # 24 hours on the wall, 25 in fact
    first = TimeSlot(first_start, first_end)
    reach = max((draft.reach or first_local.date()) - first_local.date(), timedelta(0))
    bound = draw(st.sampled_from(["COUNT", "UNTIL date", "UNTIL UTC"]))
    if bound == "COUNT":
        end = f"COUNT={draw(st.integers(draft.occurrences_to_reach, 60))}"
    elif bound == "UNTIL date":
        days = draw(st.integers(reach.days, 730))
        end = f"UNTIL={first_local.date() + timedelta(days=days):%Y%m%d}"
    else:
        until = first.start + draw(
            st.one_of(
                st.integers(reach.days, 730).map(lambda d: timedelta(days=d)),  # on the dot
                st.integers(reach.days * 24 * 60, 730 * 24 * 60).map(
                    lambda m: timedelta(minutes=m)
                ),
            )
        )
        end = f"UNTIL={until:%Y%m%dT%H%M%SZ}"
    rule = Recurrence.parse(f"{body};{end}")
    # Likewise the end: a wall-clock end drawn in a gap is the time its instant shows.
    wall_length = local_wall_time(first.end, zone) - first_local
    return Case(zone, rule, first, first_local, wall_length)


def oracle_starts(case: Case) -> list[datetime]:
    """The occurrences' aware local starts, from the rule's text by dateutil's parser."""
    text = str(case.rule)
    until = case.rule.until
    if isinstance(until, date) and not isinstance(until, datetime):
        text = text.replace(f";UNTIL={until:%Y%m%d}", "")
    dtstart = aware(case.first_local, case.zone)
    oracle = rrule.rrulestr(text, dtstart=dtstart)
    assert isinstance(oracle, rrule.rrule)
    if isinstance(until, date) and not isinstance(until, datetime):
        # the same tzinfo: compared by wall-clock time, up to the end of that local day
        oracle = oracle.replace(until=datetime.combine(until, time.max, tzinfo=case.zone))
    return list(islice(oracle, 5000))


def oracle_slot(local_start: datetime, case: Case) -> TimeSlot:
    start = local_start.astimezone(UTC)
    end = (local_start + case.wall_length).astimezone(UTC)  # wall-clock arithmetic
    if not start < end <= start + LONGEST_SLOT:  # bent by DST: the first's length
        end = start + case.first.duration
    return TimeSlot(start, end)


def series_of(case: Case, exdates: list[date]) -> list[TimeSlot]:
    """What a use-case does: expand from the first start's wall-clock time, read in the zone."""
    first_naive = local_wall_time(case.first.start, case.zone)
    local_starts = expand_recurrence(case.rule, first_naive, expansion_limit(exdates))
    return occurrence_slots(case.first, case.zone, case.rule, local_starts, exdates)


@settings(max_examples=200, deadline=None)
@given(case=cases(), data=st.data())
def test_occurrences_agree_with_the_aware_datetime_oracle(case: Case, data: st.DataObject) -> None:
    note(f"{case.zone.key} {case.rule} from {case.first_local} {case.first}")
    expected_starts = oracle_starts(case)
    assert expected_starts, "UNTIL is never before the first start here"
    days = [start.date() for start in expected_starts]
    mistake = data.draw(st.sampled_from(["none"] * 5 + ["stranger", "twice", "all"]), "mistake")
    exdates = data.draw(
        st.lists(st.sampled_from(days), max_size=min(3, len(days) - 1), unique=True), "exdates"
    )
    if mistake == "all" and len(days) <= 5:
        exdates = data.draw(st.permutations(days), "every date")
    stranger = None
    if mistake == "stranger":  # a day before the first: never a date of the series
        stranger = len(exdates)
        exdates.append(case.first_local.date() - timedelta(days=data.draw(st.integers(1, 40))))
    twice = None
    if mistake == "twice" and exdates:
        twice = len(exdates)
        exdates.append(exdates[0])
    kept = [start for start in expected_starts if start.date() not in exdates]

    if twice is not None:
        expected_field: str | None = f"exdates[{twice}]"
    elif len(kept) > MAX_OCCURRENCES:
        expected_field = "recurrence"
    elif stranger is not None:
        expected_field = f"exdates[{stranger}]"
    elif not kept:
        expected_field = "exdates"
    else:
        expected_field = None

    if expected_field is not None:
        event(f"refused naming {expected_field if '[' not in expected_field else 'exdates[i]'}")
        with pytest.raises(InvalidValue) as refused:
            series_of(case, exdates)
        assert refused.value.field == expected_field
        return

    slots = series_of(case, exdates)

    assert [slot.start for slot in slots] == [start.astimezone(UTC) for start in kept]
    assert slots == [oracle_slot(start, case) for start in kept]
    if case.first_local.date() not in exdates:
        assert slots[0] == case.first
    for slot, start in zip(slots, kept, strict=True):
        # the wall-clock start kept, or (in a gap) moved on by the gap, never back
        local = local_wall_time(slot.start, case.zone)
        assert local.date() == start.date()
        assert timedelta(0) <= local - start.replace(tzinfo=None) <= timedelta(hours=1)
        assert timedelta(0) < slot.duration <= LONGEST_SLOT
        if local != start.replace(tzinfo=None):
            event("a start in a gap")
        if slot.duration != (start + case.wall_length).astimezone(UTC) - slot.start:
            event("an end bent by DST: the first length")
        elif slot.duration != case.first.duration:
            event("a length changed by DST")
    event(f"UNTIL a {type(case.rule.until).__name__}" if case.rule.until else "COUNT")
    event(f"{len(slots) // 100 * 100}+ occurrences")


@settings(max_examples=200, deadline=None)
@given(case=cases())
def test_the_canonical_text_reads_back_as_the_same_rule(case: Case) -> None:
    assert Recurrence.parse(str(case.rule)) == case.rule
    assert Recurrence.parse("RRULE:" + str(case.rule).lower()) == case.rule
