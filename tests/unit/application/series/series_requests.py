"""What a requester sends the series use-cases, what the store holds of a series, and a unit
of work that notes the locks taken."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from uuid import UUID

from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.series import CreateSeriesCommand
from campus_booking.domain.bookings import Booking
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from tests.unit.application.store_state import state

TUESDAY = datetime(2030, 1, 8, 10, tzinfo=UTC)  # a week after NOW: the first occurrence
WEEK = timedelta(weeks=1)
HOUR = timedelta(hours=1)


def series_of(
    room: Room,
    recurrence: str = "FREQ=WEEKLY;COUNT=3",
    *,
    starts_at: datetime = TUESDAY,
    hours: float = 2,
    title: str = "Lecture",
    **fields: Any,
) -> CreateSeriesCommand:
    """A series in `room` from `starts_at`, each occurrence `hours` long: by default three
    Tuesdays, 10:00 to 12:00 UTC, from 2030-01-08."""
    return CreateSeriesCommand(
        room_id=room.id,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + hours * HOUR,
        recurrence=recurrence,
        **fields,
    )


def week(n: int, hours: float = 2) -> TimeSlot:
    """The slot of the default series' occurrence `n` weeks after the first."""
    return TimeSlot(TUESDAY + n * WEEK, TUESDAY + n * WEEK + hours * HOUR)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def everything(store: MemoryStore) -> dict[str, Any]:
    """The store by value, series included: a refused write must leave it equal."""
    return {**state(store), "series": {key: asdict(s) for key, s in store.series.items()}}


def occurrences(store: MemoryStore, series_id: UUID) -> list[Booking]:
    """The stored occurrences of a series, by start."""
    found = (b for b in store.bookings.values() if b.series_id == series_id)
    return sorted(found, key=lambda booking: booking.slot.start)


def starts(store: MemoryStore, series_id: UUID) -> list[datetime]:
    return [booking.slot.start for booking in occurrences(store, series_id)]


class _NotingLocks:
    """A repository that notes each row it is asked to lock, then asks the real one."""

    def __init__(self, inner: Any, kind: str, taken: list[tuple[str, Any]]) -> None:
        self._inner = inner
        self._kind = kind
        self._taken = taken

    async def get(self, entity_id: UUID, *, lock: bool = False) -> Any:
        if lock:
            self._taken.append((self._kind, entity_id))
        return await self._inner.get(entity_id, lock=lock)

    async def lock_all(self, ids: list[UUID]) -> list[Any]:
        self._taken.append((self._kind, tuple(sorted(ids))))
        found: list[Any] = await self._inner.lock_all(ids)
        return found

    async def of_series(self, series_ids: list[UUID], *, lock: bool = False) -> list[Booking]:
        if lock:
            self._taken.append((self._kind, tuple(series_ids)))
        found: list[Booking] = await self._inner.of_series(series_ids, lock=lock)
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class LockNotingUnitOfWork(MemoryUnitOfWork):
    def __init__(self, store: MemoryStore, taken: list[tuple[str, Any]], **options: Any) -> None:
        self.taken = taken
        super().__init__(store, **options)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.users = _NotingLocks(self.users, "user", self.taken)  # type: ignore[assignment]
        self.rooms = _NotingLocks(self.rooms, "room", self.taken)  # type: ignore[assignment]
        self.series = _NotingLocks(self.series, "series", self.taken)  # type: ignore[assignment]
        self.bookings = _NotingLocks(self.bookings, "bookings", self.taken)  # type: ignore[assignment]
        return self
