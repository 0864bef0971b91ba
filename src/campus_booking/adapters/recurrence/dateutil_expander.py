"""The `RecurrenceExpander` port on python-dateutil's `rrule`, which implements RFC 5545.

The rule is expanded on naive local wall-clock times, as RFC 5545 expands a DTSTART with a
TZID: the series turns them into instants in its zone. UNTIL is left to the series too, since
it compares instants (a UTC date-time) or local dates; COUNT is dateutil's, which counts only
dates that exist (no 31st of April).
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Literal

from dateutil import rrule

from campus_booking.domain.recurrence import Frequency, Recurrence

_FREQUENCY: dict[Frequency, Literal[1, 2, 3]] = {
    Frequency.DAILY: rrule.DAILY,
    Frequency.WEEKLY: rrule.WEEKLY,
    Frequency.MONTHLY: rrule.MONTHLY,
}
_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)


def expand_recurrence(rule: Recurrence, first: datetime, limit: int) -> list[datetime]:
    weekdays = [
        _WEEKDAYS[day.weekday](day.ordinal) if day.ordinal else _WEEKDAYS[day.weekday]
        for day in rule.by_day
    ]
    dates = rrule.rrule(
        _FREQUENCY[rule.frequency],
        dtstart=first,
        interval=rule.interval,
        byweekday=weekdays or None,
        bymonthday=rule.by_month_day or None,
        count=rule.count,
        cache=False,
    )
    return list(islice(dates, limit))
