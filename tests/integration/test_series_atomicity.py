"""All or nothing: a series whose write fails after some of its occurrences were inserted
leaves no row of it, on SQLite and PostgreSQL.

The real CreateSeries runs from the container on a real database; the failure comes after the
series and its occurrences were inserted, inside the transaction: from an event handler (they
run on commit, after the inserts), or from the database's own overlap guard refusing an
occurrence half-way through the one statement that inserts them all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Self

import pytest
from dependency_injector import providers
from sqlalchemy import func, select

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.database.tables import audit_log, booking_series, bookings
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.application.audit import write_audit_trail
from campus_booking.application.ports import UnitOfWork
from campus_booking.application.series import CreateSeriesCommand
from campus_booking.container import Container, resources_of
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Period
from campus_booking.domain.errors import SlotTaken
from campus_booking.domain.events import BookingSeriesCreated, DomainEvent
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User
from tests.conftest import test_settings as settings_for

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)
TUESDAY = datetime(2030, 1, 8, 10, tzinfo=UTC)
WEEK = timedelta(weeks=1)
FOUR_TUESDAYS = "FREQ=WEEKLY;COUNT=4"


class HandlerFailed(Exception):
    """What the failing handler raises, after it has seen the rows inserted."""


@pytest.fixture
async def container(database_url: str) -> AsyncIterator[Container]:
    container = Container()
    container.settings.override(providers.Object(settings_for(database_url)))
    container.clock.override(providers.Object(FixedClock(NOW)))
    async with resources_of(container):
        yield container
    container.reset_override()


async def seed(container: Container) -> tuple[User, Room]:
    user = User.register(
        email="ana@uni.example", full_name="Ana", password_hash="x", now=NOW, self_service=True
    )
    room = Room.create(name="Oak", building="Main", capacity=10, now=NOW, by=None)
    async with container.uow() as uow:
        await uow.users.add(user)
        await uow.rooms.add(room)
        await uow.commit()
    return user, room


def four_tuesdays(room: Room) -> CreateSeriesCommand:
    return CreateSeriesCommand(
        room_id=room.id,
        title="Lecture",
        starts_at=TUESDAY,
        ends_at=TUESDAY + timedelta(hours=2),
        recurrence=FOUR_TUESDAYS,
    )


async def rows(container: Container) -> dict[str, int]:
    """How many rows the series' tables and the audit log hold, read from the database."""
    async with container.engine().connect() as connection:
        return {
            table.name: (
                await connection.execute(select(func.count()).select_from(table))
            ).scalar_one()
            for table in (booking_series, bookings, audit_log)
        }


async def test_a_handler_failing_after_the_inserts_leaves_no_row_of_the_series(
    container: Container,
) -> None:
    user, room = await seed(container)
    seen_in_the_transaction: list[Booking] = []

    async def fail_once_the_series_is_in(uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        created = [e.subject_id for e in events if isinstance(e, BookingSeriesCreated)]
        if created:
            seen_in_the_transaction.extend(await uow.bookings.of_series(created))
            raise HandlerFailed

    container.event_handlers.override(
        providers.List(
            providers.Object(write_audit_trail), providers.Object(fail_once_the_series_is_in)
        )
    )
    before = await rows(container)

    with pytest.raises(HandlerFailed):
        await container.create_series()(user, four_tuesdays(room))

    assert [b.slot.start for b in seen_in_the_transaction] == [TUESDAY + n * WEEK for n in range(4)]
    assert await rows(container) == before
    assert before["booking_series"] == before["bookings"] == 0


class _BlindToBookings:
    """A bookings repository that finds no booking in a series' way: only the database's
    guard is left to refuse an overlap."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def times_within(self, room_id: Any, period: Period) -> list[TimeSlot]:
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class BlindUnitOfWork(SqlAlchemyUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.bookings = _BlindToBookings(self.bookings)  # type: ignore[assignment]
        return self


async def test_the_database_refusing_an_occurrence_half_way_leaves_no_row_of_the_series(
    container: Container,
) -> None:
    user, room = await seed(container)
    third = TimeSlot(TUESDAY + 2 * WEEK, TUESDAY + 2 * WEEK + timedelta(hours=2))
    in_the_way = Booking.request(
        room_id=room.id,
        requester_id=user.id,
        slot=TimeSlot(third.start + timedelta(hours=1), third.end + timedelta(hours=1)),
        title="Behind the series' back",
        attendees=2,
        needs_approval=False,
        now=NOW,
    )
    async with container.uow() as uow:
        await uow.bookings.add(in_the_way)
        await uow.commit()
    container.uow.override(
        providers.Factory(
            BlindUnitOfWork, engine=container.engine, handlers=container.event_handlers
        )
    )
    before = await rows(container)

    with pytest.raises(SlotTaken):
        await container.create_series()(user, four_tuesdays(room))

    assert await rows(container) == before
    assert (before["booking_series"], before["bookings"]) == (0, 1)
