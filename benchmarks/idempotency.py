"""Keyed bookings beside unkeyed ones, in the same run (`--only retries`).

An `Idempotency-Key` costs a keyed write two more statements in its transaction (the key's
record read, the user's expired records dropped and the answer written: three on PostgreSQL
with the advisory lock) and the answer's encoding; it should cost little beside the booking.
Each request books free time of its own, as the admin, under a key of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from benchmarks.load import Options, Result, measure, rooms_env, slots_from
from benchmarks.servers import Server

UNKEYED = "POST /bookings (free slots), no key"
KEYED = "POST /bookings (free slots), each with an Idempotency-Key"
# Far past the other workloads' free slots (2032 on) and the series' (2045 on).
UNKEYED_FROM = datetime(2060, 1, 1, tzinfo=UTC)
KEYED_FROM = datetime(2070, 1, 1, tzinfo=UTC)


def keyed_workloads(
    options: Options, service: Server, room_ids: list[str], as_admin: dict[str, str]
) -> Iterator[Result]:
    rooms = {**as_admin, **rooms_env("retries-rooms", room_ids)}
    unkeyed = measure(
        options,
        service,
        UNKEYED,
        "/bookings",
        "book_free.lua",
        expected={201},
        env={**rooms, **slots_from(UNKEYED_FROM)},
    )
    yield unkeyed
    keyed = measure(
        options,
        service,
        KEYED,
        "/bookings",
        "book_free.lua",
        expected={201},
        env={**rooms, **slots_from(KEYED_FROM), "WRK_KEYED": "1"},
    )
    if keyed.requests_per_s:
        keyed.notes = f"costs {unkeyed.requests_per_s / keyed.requests_per_s:.2f}x an unkeyed one"
    yield keyed
