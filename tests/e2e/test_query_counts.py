"""Listings and availability reads run a bounded number of SQL statements, whatever the page
size or the number of rooms."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import event

from campus_booking.adapters.database.engine import reader
from campus_booking.application.auth import CreateAdminCommand
from campus_booking.application.queries import PageRequest, RoomFilter
from campus_booking.container import Container
from campus_booking.domain.booking_policies import BookingPolicy, PolicyLimits
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure, Period
from campus_booking.domain.opening_hours import DateException, OpeningHours, WeeklyWindow, Window
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import User
from tests.e2e.actors import fix_clock

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


async def seed_calendar(container: Container) -> list[Room]:
    """Gives every room of `seed` opening hours, a closure and a booking policy with quotas:
    every kind of row the availability reads look at. The first two rooms grow to 30 seats."""
    policy = BookingPolicy.create(
        name="Group study",
        limits=PolicyLimits(max_minutes_per_day=240, max_active_bookings=5),
        now=NOW,
        by=None,
    )
    async with container.uow() as uow:
        await uow.policies.add(policy)
        page = await uow.rooms.search(RoomFilter(), PageRequest(limit=100))
        for number, room in enumerate(page.items):
            room.policy_id = policy.id
            room.capacity = 30 if number < 2 else room.capacity
            await uow.rooms.save(room)
            hours = OpeningHours.validated(
                room.id,
                [WeeklyWindow(day, Window(8 * 60, 20 * 60)) for day in range(1, 8)],
                [DateException(date(2030, 1, 3), ())],
            )
            await uow.opening_hours.replace(hours)
            closed = Period(NOW + timedelta(days=1, hours=20), NOW + timedelta(days=1, hours=22))
            await uow.closures.add(
                Closure.create(room_id=room.id, period=closed, reason="Cleaning", by=None, now=NOW)
            )
        await uow.commit()
    return page.items


async def signed_in(client: AsyncTestClient, email: str, password: str) -> dict[str, str]:
    login = await client.post("/auth/login", data={"username": email, "password": password})
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def statement_count(
    client: AsyncTestClient, container: Container, headers: dict[str, str], path: str
) -> int:
    with counting_statements(container) as statements:
        response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return len(statements)


async def test_availability_reads_run_as_many_statements_for_30_rooms_as_for_1(
    client: AsyncTestClient, container: Container
) -> None:
    """No query per room, booking or closure. Free-room search also runs as a student, whose
    quotas it counts, as the policy's quotas bind everyone."""
    await seed(container, rooms=30, bookings_per_room=3)
    rooms = await seed_calendar(container)
    student = {"email": "stu@uni.example", "password": "a student password", "full_name": "S"}
    assert (await client.post("/auth/register", json=student)).status_code == 201
    admin = await signed_in(client, "admin@uni.example", "admin-password")
    callers = (admin, await signed_in(client, student["email"], student["password"]))
    window = "from=2030-01-02T00:00:00Z&to=2030-01-09T00:00:00Z"

    def grid(chosen: list[Room]) -> str:
        return "/availability?" + "&".join(f"room_id={room.id}" for room in chosen) + "&" + window

    async def count(headers: dict[str, str], path: str) -> int:
        return await statement_count(client, container, headers, path)

    # The caller, then the rooms, their hours, their bookings and their closures.
    assert [await count(admin, grid(rooms[:1])), await count(admin, grid(rooms))] == [5, 5]
    assert await count(callers[1], f"/rooms/{rooms[0].id}/availability?{window}") == 5
    free = "/rooms/free?starts_at=2030-01-02T08:00:00Z&ends_at=2030-01-02T09:00:00Z&limit=100"
    for headers in callers:
        # No room holds 31: the caller and the rooms. Two rooms hold 25, all hold 1: then
        # also their hours, bookings, closures, policies and the caller's own bookings.
        assert [
            await count(headers, f"{free}&min_capacity={capacity}") for capacity in (31, 25, 1)
        ] == [2, 7, 7]


async def test_a_series_costs_as_many_statements_for_365_occurrences_as_for_15(
    client: AsyncTestClient, container: Container
) -> None:
    """One statement for the overlap check and one for the insert, not one per occurrence,
    as a student (whose quotas are counted) and as staff."""
    fix_clock(container)
    await seed(container, rooms=2, bookings_per_room=0)
    student = {"email": "stu@uni.example", "password": "a student password", "full_name": "S"}
    assert (await client.post("/auth/register", json=student)).status_code == 201
    admin = await signed_in(client, "admin@uni.example", "admin-password")
    pupil = await signed_in(client, student["email"], student["password"])
    async with container.uow(read_only=True) as uow:
        rooms = (await uow.rooms.search(RoomFilter(), PageRequest(limit=2))).items

    async def count(headers: dict[str, str], room: Room, start: datetime, rule: str) -> int:
        body = {
            "room_id": str(room.id),
            "title": "Lecture",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "recurrence": rule,
        }
        with counting_statements(container) as statements:
            response = await client.post("/booking-series", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return len(statements)

    day = NOW + timedelta(hours=2)  # a year of days then ends within the year ahead
    weekly = await count(admin, rooms[0], day, "FREQ=WEEKLY;COUNT=15")
    daily = await count(admin, rooms[1], day, "FREQ=DAILY;COUNT=365")
    students = await count(pupil, rooms[0], day + timedelta(hours=3), "FREQ=WEEKLY;COUNT=15")
    # The caller and their lock, the room, its hours, closures and bookings, the requester's
    # usage (and a student's quotas), the series, the occurrences, the audit trail.
    assert weekly == daily <= 10
    assert students <= 11
