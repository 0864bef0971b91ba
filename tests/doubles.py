"""Test doubles shared by the unit tests (over the memory fakes) and the integration tests (over
the SQL repositories)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from campus_booking.application.ports import BookingRepository, ClosureRepository
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.time_slots import TimeSlot


class BlindOverlapCheck:
    """A bookings repository whose overlap check finds nothing, as in a lost race.

    Its writes still refuse overlaps, as the database constraint (or the memory fake's guard)
    does: this is what a request sees when a rival booking commits between its check and its
    write.
    """

    def __init__(self, inner: BookingRepository) -> None:
        self._inner = inner

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        return []

    async def overlapping_and_count_of_requester(
        self, room_id: UUID, slot: TimeSlot, requester_id: UUID, instant: datetime
    ) -> tuple[list[Booking], int]:
        return [], await self._inner.count_active_of_requester(requester_id, instant)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BlindClosureCheck:
    """A closures repository whose look for closures over a slot finds nothing, as in a lost
    race; its writes are still guarded as the database guards them."""

    def __init__(self, inner: ClosureRepository) -> None:
        self._inner = inner

    async def overlapping(self, room_id: UUID, slot: TimeSlot) -> list[Closure]:
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BlindToBookingsInTheWay:
    """A bookings repository that finds no booking in a closure's way; its writes still
    refuse what the database refuses."""

    def __init__(self, inner: BookingRepository) -> None:
        self._inner = inner

    async def active_within(self, room_id: UUID, period: Period) -> list[Booking]:
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BlindToClosures:
    """A writing unit of work whose checks miss closures and the bookings in their way: only
    the guards of the store (the database's triggers, the memory fakes' checks) remain."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def __aenter__(self) -> Any:
        uow = await self._inner.__aenter__()
        uow.closures = BlindClosureCheck(uow.closures)
        uow.bookings = BlindToBookingsInTheWay(uow.bookings)
        return uow

    async def __aexit__(self, *exc_info: Any) -> None:
        await self._inner.__aexit__(*exc_info)


def blind_writers(honest: Callable[..., Any]) -> Callable[..., Any]:
    """A unit-of-work factory whose writers are `BlindToClosures`; its readers see all."""

    def factory(*, read_only: bool = False) -> Any:
        return honest(read_only=True) if read_only else BlindToClosures(honest())

    return factory
