"""Opening hours in the database: round trips, the dates a booking check reads, a whole
replacement, and the rows the schema refuses, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from campus_booking.adapters.database.tables import opening_hours
from campus_booking.application.queries import AuditFilter, PageRequest
from campus_booking.domain.audit import Action, Entity
from campus_booking.domain.opening_hours import DateException, OpeningHours, weekly_window, window
from campus_booking.domain.rooms import Room
from tests.integration.conftest import UowFactory
from tests.integration.test_repositories import a_user

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)
CHRISTMAS_EVE, CHRISTMAS = date(2030, 12, 24), date(2030, 12, 25)


def hours_of(room: Room) -> OpeningHours:
    return OpeningHours.validated(
        room.id,
        [
            weekly_window(1, "08:00", "12:00", "w"),
            weekly_window(1, "13:00", "24:00", "w"),
            weekly_window(2, "00:00", "02:00", "w"),
        ],
        [
            DateException(CHRISTMAS_EVE, (window("08:00", "12:00", "x"),)),
            DateException(CHRISTMAS, ()),
        ],
    )


@pytest.fixture
async def room(uow_factory: UowFactory) -> Room:
    room = Room.create(name="Library", building="Main", capacity=50, now=NOW, by=None)
    async with uow_factory() as uow:
        await uow.rooms.add(room)
        await uow.commit()
    return room


async def test_hours_round_trip_whole(uow_factory: UowFactory, room: Room) -> None:
    async with uow_factory() as uow:
        assert (await uow.opening_hours.get(room.id)) == OpeningHours(room.id)
        await uow.opening_hours.replace(hours_of(room))
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        stored = await uow.opening_hours.get(room.id)

    assert stored == hours_of(room)
    assert stored.windows_on(CHRISTMAS) == ()


async def test_a_booking_check_reads_the_weekly_windows_and_only_the_dates_asked_for(
    uow_factory: UowFactory, room: Room
) -> None:
    async with uow_factory() as uow:
        await uow.opening_hours.replace(hours_of(room))
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        around_christmas = await uow.opening_hours.between(room.id, CHRISTMAS, CHRISTMAS)
        in_january = await uow.opening_hours.between(room.id, date(2031, 1, 1), date(2031, 1, 3))

    assert around_christmas.weekly == hours_of(room).weekly
    assert [e.on for e in around_christmas.exceptions] == [CHRISTMAS]
    assert in_january.exceptions == ()
    assert in_january.weekly == hours_of(room).weekly


async def test_a_replacement_leaves_nothing_of_the_old_hours_and_is_in_the_trail(
    uow_factory: UowFactory, room: Room
) -> None:
    async with uow_factory() as uow:
        await uow.opening_hours.replace(hours_of(room))
        await uow.commit()
    staff = a_user("sam@uni.edu")
    async with uow_factory() as uow:
        await uow.users.add(staff)
        hours = await uow.opening_hours.get(room.id)
        new = OpeningHours.validated(room.id, [weekly_window(3, "09:00", "17:00", "w")], [])
        hours.replace(new, by=staff.id, at=NOW)
        await uow.opening_hours.replace(hours)
        await uow.commit()

    async with uow_factory(read_only=True) as uow:
        stored = await uow.opening_hours.get(room.id)
        trail = await uow.audit.search(
            AuditFilter(entity=Entity.ROOM, entity_id=room.id), PageRequest()
        )

    assert stored == new
    changed = [entry for entry in trail.items if entry.action is Action.CHANGED]
    assert [entry.actor_id for entry in changed] == [staff.id]
    assert [entry.after for entry in changed] == [
        {"opening_hours": ["3 09:00-17:00"], "opening_exceptions": []}
    ]


async def test_a_rolled_back_replacement_leaves_the_hours_as_they_were(
    uow_factory: UowFactory, room: Room
) -> None:
    async with uow_factory() as uow:
        await uow.opening_hours.replace(hours_of(room))

    async with uow_factory(read_only=True) as uow:
        assert (await uow.opening_hours.get(room.id)) == OpeningHours(room.id)


@pytest.mark.parametrize(
    "row",
    [
        {"weekday": 1, "on_date": CHRISTMAS, "opens": 0, "closes": 60},  # both
        {"weekday": None, "on_date": None, "opens": 0, "closes": 60},  # neither
        {"weekday": 8, "on_date": None, "opens": 0, "closes": 60},
        {"weekday": 1, "on_date": None, "opens": None, "closes": None},  # a weekday, no window
        {"weekday": None, "on_date": CHRISTMAS, "opens": 60, "closes": None},
        {"weekday": 1, "on_date": None, "opens": 60, "closes": 60},
        {"weekday": 1, "on_date": None, "opens": 0, "closes": 1441},
    ],
)
async def test_the_database_refuses_rows_no_hours_can_hold(
    uow_factory: UowFactory, room: Room, row: dict[str, object]
) -> None:
    async with uow_factory() as uow:
        with pytest.raises(IntegrityError):
            await uow._connection.execute(
                insert(opening_hours), {"id": uuid4(), "room_id": room.id, **row}
            )
