"""ListBookings: whose bookings a caller sees, filtered, in start order, by pages."""

from __future__ import annotations

import pytest

from campus_booking.adapters.memory import MemoryStore
from campus_booking.application.bookings import ListBookings
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.queries import BookingFilter, PageRequest
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User
from tests.unit.builders import add_booking, add_room, add_user, at, slot


async def test_a_student_lists_only_their_own_bookings_whatever_the_filter_asks(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, other_student: User, room: Room
) -> None:
    late = add_booking(store, room, slot(5, 6), by=student)
    early = add_booking(store, room, slot(1, 2), by=student)
    add_booking(store, room, slot(3, 4), by=other_student)
    list_bookings = ListBookings(uow)

    unfiltered = await list_bookings(student, BookingFilter(), PageRequest())
    asked_for_other = await list_bookings(
        student, BookingFilter(requester_id=other_student.id), PageRequest()
    )

    assert [b.id for b in unfiltered.items] == [early.id, late.id]
    assert unfiltered.total == 2
    assert [b.id for b in asked_for_other.items] == [early.id, late.id]
    assert asked_for_other.total == 2


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN])
async def test_staff_and_admins_list_everyones_bookings_by_start(
    uow: UnitOfWorkFactory,
    store: MemoryStore,
    student: User,
    other_student: User,
    room: Room,
    role: Role,
) -> None:
    manager = add_user(store, role)
    second = add_booking(store, room, slot(3, 4), by=student)
    first = add_booking(store, room, slot(1, 2), by=other_student)
    third = add_booking(store, room, slot(5, 6), by=manager)

    page = await ListBookings(uow)(manager, BookingFilter(), PageRequest())

    assert [b.id for b in page.items] == [first.id, second.id, third.id]
    assert page.total == 3


async def test_staff_may_filter_by_requester(
    uow: UnitOfWorkFactory,
    store: MemoryStore,
    student: User,
    other_student: User,
    staff: User,
    room: Room,
) -> None:
    add_booking(store, room, slot(1, 2), by=student)
    theirs = add_booking(store, room, slot(3, 4), by=other_student)

    page = await ListBookings(uow)(
        staff, BookingFilter(requester_id=other_student.id), PageRequest()
    )

    assert [b.id for b in page.items] == [theirs.id]
    assert page.total == 1


async def test_list_bookings_filters_by_status(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room
) -> None:
    pending = add_booking(store, room, slot(1, 2), by=student, status=BookingStatus.PENDING)
    add_booking(store, room, slot(3, 4), by=student, status=BookingStatus.APPROVED)
    cancelled = add_booking(store, room, slot(5, 6), by=student, status=BookingStatus.CANCELLED)
    add_booking(store, room, slot(7, 8), by=student, status=BookingStatus.REJECTED)
    wanted = BookingFilter(statuses=frozenset({BookingStatus.PENDING, BookingStatus.CANCELLED}))

    page = await ListBookings(uow)(student, wanted, PageRequest())

    assert [b.id for b in page.items] == [pending.id, cancelled.id]
    assert page.total == 2


async def test_list_bookings_window_keeps_the_bookings_overlapping_it(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User
) -> None:
    def booked(start: float, end: float) -> Booking:
        return add_booking(
            store, add_room(store, f"Room {start}-{end}"), slot(start, end), by=student
        )

    booked(8, 10)  # ends as the window opens
    covering = booked(7, 15)
    starts_before = booked(9, 11)
    inside = booked(10.5, 11.5)
    runs_past = booked(11.5, 13)
    booked(12, 14)  # starts as the window closes
    booked(16, 17)
    window = BookingFilter(ends_after=at(10), starts_before=at(12))

    page = await ListBookings(uow)(student, window, PageRequest())

    assert [b.id for b in page.items] == [covering.id, starts_before.id, inside.id, runs_past.id]
    assert page.total == 4


async def test_list_bookings_pages(
    uow: UnitOfWorkFactory, store: MemoryStore, student: User, room: Room
) -> None:
    bookings = [add_booking(store, room, slot(hour, hour + 1), by=student) for hour in range(1, 6)]

    page = await ListBookings(uow)(student, BookingFilter(), PageRequest(limit=2, offset=1))

    assert [b.id for b in page.items] == [bookings[1].id, bookings[2].id]
    assert (page.total, page.limit, page.offset) == (5, 2, 1)
