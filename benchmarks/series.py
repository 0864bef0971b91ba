"""Creating booking series beside a single booking, in the same run (`--only series`).

A series checks every occurrence in a constant number of statements and writes them in one
insert, so a weekly series of 15 should cost a small multiple of one booking (at most 3x), and
a daily one of 365 should cost what its rows cost to write, not a statement per occurrence.
Each request books free time of its own; the admin books, so that no student quota fills up
over a run of thousands of occurrences.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from benchmarks.load import Options, Result, measure, rooms_env, slots_from
from benchmarks.servers import Server

SINGLE = "POST /bookings (free slots), beside the series"
WEEKLY = "POST /booking-series, weekly, 15 occurrences"
DAILY = "POST /booking-series, daily, 365 occurrences"
# Far apart, and far past the other workloads' free slots (2032 on).
SINGLE_FROM = datetime(2045, 1, 1, tzinfo=UTC)
WEEKLY_FROM = datetime(2050, 1, 3, 9, tzinfo=UTC)
DAILY_FROM = datetime(2055, 1, 3, 9, tzinfo=UTC)
DAILY_CLIENTS = 4


def series_workloads(
    options: Options, service: Server, room_ids: list[str], as_admin: dict[str, str]
) -> Iterator[Result]:
    rooms = {**as_admin, **rooms_env("series-rooms", room_ids)}
    single = measure(
        options,
        service,
        SINGLE,
        "/bookings",
        "book_free.lua",
        expected={201},
        env={**rooms, **slots_from(SINGLE_FROM)},
    )
    yield single
    for name, rule, start, hours, span, connections in (
        (WEEKLY, "FREQ=WEEKLY;COUNT=15", WEEKLY_FROM, 168, timedelta(weeks=16), None),
        # A year of days writes 730 rows (and their audit entries) under the room's lock: at
        # 64 at once, SQLite's writers queue past the lock timeout (503, by design), so a
        # few clients at a time, as such series are made in practice.
        (DAILY, "FREQ=DAILY;COUNT=365", DAILY_FROM, 24, timedelta(days=370), DAILY_CLIENTS),
    ):
        result = measure(
            replace(options, connections=connections or options.connections),
            service,
            name,
            "/booking-series",
            "book_series.lua",
            expected={201},
            env={
                **rooms,
                "WRK_RULE": rule,
                "WRK_HOURS": str(hours),
                **slots_from(start),
                "WRK_PHASE_SECONDS": str(int(span.total_seconds())),
            },
        )
        cost = single.requests_per_s / result.requests_per_s if result.requests_per_s else 0
        clients = f", {connections} connections" if connections else ""
        result.notes = f"costs {cost:.2f}x a single booking (same run){clients}"
        yield result
