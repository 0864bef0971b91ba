"""PreviewSeries: every occurrence, bookable or not and why, with nothing written."""

from __future__ import annotations

from datetime import date

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.series import PreviewSeries
from campus_booking.domain.opening_hours import DateException, OpeningHours
from campus_booking.domain.rooms import Room
from campus_booking.domain.series import Blocked
from campus_booking.domain.users import User
from tests.unit.application.series.series_requests import everything, series_of, week
from tests.unit.builders import add_booking, add_policy, add_room


async def test_preview_tells_each_occurrence_bookable_or_why_not_and_writes_nothing(
    preview_series: PreviewSeries,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
) -> None:
    add_booking(store, room, week(1), by=other_student)
    store.opening_hours[room.id] = OpeningHours(
        room.id, exceptions=(DateException(date(2030, 1, 22), ()),)
    )
    before = everything(store)

    checks = await preview_series(student, series_of(room, "FREQ=WEEKLY;COUNT=4"))

    assert [(c.slot, c.bookable) for c in checks] == [
        (week(0), True),
        (week(1), False),
        (week(2), False),
        (week(3), True),
    ]
    assert checks[1].blocked == Blocked(week(1), conflicts=((week(1).start, week(1).end),))
    assert checks[2].blocked is not None
    assert [v.code for v in checks[2].blocked.violations] == ["outside_opening_hours"]
    assert everything(store) == before
    assert store.commits == 0


async def test_preview_counts_the_quota_as_the_series_would_use_it(
    preview_series: PreviewSeries, store: MemoryStore, student: User
) -> None:
    policy = add_policy(store, max_active_bookings=2)
    study = add_room(store, "Study", policy_id=policy.id)

    checks = await preview_series(student, series_of(study))

    assert [c.bookable for c in checks] == [True, True, False]
    assert checks[2].blocked is not None
    assert [v.code for v in checks[2].blocked.violations] == ["active_bookings_limit"]
    assert (store.series, store.commits) == ({}, 0)
