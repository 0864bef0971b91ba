"""Listing endpoints run a bounded number of SQL statements, whatever the page size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import event

from campus_booking.adapters.database.engine import reader
from campus_booking.application.auth import CreateAdminCommand
from campus_booking.container import Container
from campus_booking.domain.bookings import Booking
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User

NOW = datetime(2030, 1, 1, 8, tzinfo=UTC)


@contextmanager
def counting_statements(container: Container) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def record_direct(statement: str) -> None:
        statements.append(statement)

    # Readers have an engine, and a pool, of their own; the hottest reads skip both.
    engines = [container.engine().sync_engine, reader(container.engine()).sync_engine]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    container.direct_reads().observers.append(record_direct)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
        container.direct_reads().observers.remove(record_direct)


async def seed(container: Container, rooms: int, bookings_per_room: int) -> User:
    admin = await container.create_admin()(
        CreateAdminCommand(email="admin@uni.example", password="admin-password", full_name="A")
    )
    async with container.uow() as uow:
        for number in range(rooms):
            room = Room.create(
                name=f"Room {number:03}",
                building="Main",
                capacity=20,
                features=["projector", "whiteboard"],
                now=NOW,
                by=None,
            )
            await uow.rooms.add(room)
            for hour in range(bookings_per_room):
                start = NOW + timedelta(days=1, hours=hour)
                booking = Booking.request(
                    room_id=room.id,
                    requester_id=admin.id,
                    slot=TimeSlot(start, start + timedelta(hours=1)),
                    title="Seminar",
                    attendees=5,
                    needs_approval=False,
                    now=NOW,
                )
                await uow.bookings.add(booking)
        await uow.commit()
    return admin


async def statements_for(
    client: AsyncTestClient, container: Container, headers: dict[str, str], path: str
) -> tuple[int, int]:
    """(number of items returned, number of SQL statements run) for one GET."""
    with counting_statements(container) as statements:
        response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return len(response.json()["items"]), len(statements)


async def test_listings_run_no_more_statements_for_50_items_than_for_1(
    client: AsyncTestClient, container: Container
) -> None:
    await seed(container, rooms=50, bookings_per_room=2)
    login = await client.post(
        "/auth/login", data={"username": "admin@uni.example", "password": "admin-password"}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    for path in ("/rooms", "/bookings", "/admin/users"):
        few_items, few_statements = await statements_for(
            client, container, headers, f"{path}?limit=1"
        )
        many_items, many_statements = await statements_for(
            client, container, headers, f"{path}?limit=50"
        )
        assert few_items == 1
        assert many_items == (1 if path == "/admin/users" else 50)
        # The signed-in user, the page, and the total when the page is full.
        assert few_statements == 3, path
        assert many_statements <= few_statements, path


async def test_a_page_that_is_not_full_needs_no_count(
    client: AsyncTestClient, container: Container
) -> None:
    await seed(container, rooms=3, bookings_per_room=1)
    login = await client.post(
        "/auth/login", data={"username": "admin@uni.example", "password": "admin-password"}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}

    with counting_statements(container) as statements:
        short = await client.get("/rooms?limit=5&offset=1", headers=headers)
        full = await client.get("/rooms?limit=2&offset=0", headers=headers)
        past_end = await client.get("/rooms?limit=2&offset=7", headers=headers)

    assert [len(r.json()["items"]) for r in (short, full, past_end)] == [2, 2, 0]
    assert [r.json()["total"] for r in (short, full, past_end)] == [3, 3, 3]
    counts = [s for s in statements if s.lstrip().upper().startswith("SELECT COUNT")]
    assert len(counts) == 2  # the full page and the page past the end; not the short one
