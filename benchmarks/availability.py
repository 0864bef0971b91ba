"""The availability reads, measured at every size of the bookings table.

Every room holds one booking in the target week (benchmarks/seeding.py) and the rest of the
table is history before it, so the answers stay the same as the table grows: a figure that
falls with the table's size is a read that scans history. The caller is a student of their
own, with no bookings: a real student holds a few dozen, not the table's million.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

import httpx

from benchmarks.load import Options, Result, measure
from benchmarks.seeding import TARGET_WEEK
from benchmarks.servers import Server

GRID_ROOMS = 100
TAKEN = TARGET_WEEK + timedelta(days=2, hours=10)  # when every room holds its booking
OPEN = TARGET_WEEK + timedelta(days=2, hours=14)
FREE_SEARCH_TAKEN = "GET /rooms/free, 1,000 rooms, none free (alternatives)"
FREE_SEARCH = "GET /rooms/free, 1,000 rooms, free ones"
GRID = f"GET /availability, {GRID_ROOMS} rooms x one week at 30 minutes"
ROOM_WEEK = "GET /rooms/{id}/availability, one week"
NAMES = (FREE_SEARCH_TAKEN, FREE_SEARCH, GRID, ROOM_WEEK)


def _instant(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def paths(room_ids: list[str]) -> dict[str, str]:
    week = f"from={_instant(TARGET_WEEK)}&to={_instant(TARGET_WEEK + timedelta(days=7))}"

    def hour_from(start: datetime) -> str:
        return f"starts_at={_instant(start)}&ends_at={_instant(start + timedelta(hours=1))}"

    rooms = "&".join(f"room_id={room_id}" for room_id in room_ids[:GRID_ROOMS])
    return {
        FREE_SEARCH_TAKEN: f"/rooms/free?{hour_from(TAKEN)}",
        FREE_SEARCH: f"/rooms/free?{hour_from(OPEN)}",
        GRID: f"/availability?{rooms}&{week}&interval_minutes=30",
        ROOM_WEEK: f"/rooms/{room_ids[len(room_ids) // 2]}/availability?{week}",
    }


def check_answers(service: Server, room_ids: list[str], caller: dict[str, str]) -> None:
    """Each read answers what the seeding makes it answer, or its figures would mean nothing."""
    headers = {"Authorization": f"Bearer {caller['WRK_TOKEN']}"}

    def get(path: str) -> dict:  # type: ignore[type-arg]
        response = httpx.get(service.url + path, headers=headers, timeout=60)
        if response.status_code != 200:
            sys.exit(f"GET {path} answers {response.status_code}: {response.text[:500]}")
        return response.json()  # type: ignore[no-any-return]

    routes = paths(room_ids)
    taken = get(routes[FREE_SEARCH_TAKEN])
    found = get(routes[FREE_SEARCH])
    grid = get(routes[GRID])
    week = get(routes[ROOM_WEEK])
    problems = [
        "a taken slot finds rooms" * bool(taken["items"]),
        "a taken slot offers no alternative" * (len(taken["alternatives"]) != 10),
        "a free slot finds no 10 rooms" * (len(found["items"]) != 10),
        "the grid is not 100 rooms of 336 intervals"
        * (len(grid["rooms"]) != GRID_ROOMS or {len(r["view"]) for r in grid["rooms"]} != {336}),
        "the week holds not one booking" * (len(week["busy"]) != 1),
    ]
    if any(problems):
        sys.exit("availability answers otherwise than seeded: " + "; ".join(filter(None, problems)))


def availability_at(
    options: Options, service: Server, room_ids: list[str], caller: dict[str, str], size: int
) -> Iterator[Result]:
    check_answers(service, room_ids, caller)
    for name, path in paths(room_ids).items():
        yield measure(
            options,
            service,
            f"{name}, {size:,} bookings",
            path,
            "get.lua",
            expected={200},
            env=caller,
        )


def note_growth(results: Iterable[Result], sizes: tuple[int, ...]) -> None:
    """On each availability read at the largest size: how much slower than at the smallest."""
    if len(sizes) < 2:
        return
    by_name = {result.workload: result for result in results}
    for name in NAMES:
        first = by_name.get(f"{name}, {sizes[0]:,} bookings")
        last = by_name.get(f"{name}, {sizes[-1]:,} bookings")
        if first and last and last.requests_per_s:
            slowdown = first.requests_per_s / last.requests_per_s
            last.notes = f"{slowdown:.2f}x slower than at {sizes[0]:,} bookings (target <= 1.5x)"
