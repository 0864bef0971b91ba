"""Booking series in memory: rows by id, handed out as copies, as `Rows` does for the others."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from campus_booking.adapters.memory.paging import page_of
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest, SeriesFilter
from campus_booking.domain.series import BookingSeries


class MemoryBookingSeriesRepository:
    def __init__(self, rows: dict[UUID, BookingSeries], events: EventPublisher) -> None:
        self._rows = rows
        self._events = events

    async def add(self, series: BookingSeries) -> None:
        await self.save(series)

    async def get(self, series_id: UUID, *, lock: bool = False) -> BookingSeries | None:
        found = self._rows.get(series_id)
        return self._events.seen(_copy(found)) if found is not None else None

    async def save(self, series: BookingSeries) -> None:
        self._rows[series.id] = _copy(self._events.seen(series))

    async def get_many(self, series_ids: Sequence[UUID]) -> list[BookingSeries]:
        found = (self._rows[i] for i in sorted(set(series_ids), key=str) if i in self._rows)
        return self._events.seen_all([_copy(series) for series in found])

    async def search(self, filter: SeriesFilter, page: PageRequest) -> Page[BookingSeries]:
        matches = [
            series
            for series in sorted(self._rows.values(), key=_by_creation, reverse=True)
            if (filter.requester_id is None or series.requester_id == filter.requester_id)
            and (filter.room_id is None or series.room_id == filter.room_id)
        ]
        return page_of(matches, page)


def _by_creation(series: BookingSeries) -> tuple[datetime, str]:
    """The SQL repository's order, reversed there: by creation, ties broken by id."""
    return series.created_at, str(series.id)


def _copy(series: BookingSeries) -> BookingSeries:
    """A copy holds no events: a row is state (see `Rows`)."""
    copied = copy.deepcopy(series)
    copied.events.clear()
    return copied
