"""What the store holds, read past the API, to show that a refused request changed nothing."""

from __future__ import annotations

import dataclasses
from typing import Any

from campus_booking.application.queries import (
    MAX_PAGE_SIZE,
    ClosureFilter,
    PageRequest,
    UserFilter,
)
from campus_booking.container import Container
from campus_booking.domain.bookings import Booking
from campus_booking.domain.closures import Closure
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User
from tests.e2e.actors import stored_bookings, stored_rooms


async def snapshot(container: Container) -> list[tuple[Any, ...]]:
    """Every room, booking, user and closure, field by field (entities compare by id alone)."""
    async with container.uow(read_only=True) as uow:
        users = await uow.users.search(UserFilter(), PageRequest(limit=MAX_PAGE_SIZE))
        closures = await uow.closures.search(ClosureFilter(), PageRequest(limit=MAX_PAGE_SIZE))
    entities: list[Room | Booking | User | Closure] = [
        *await stored_rooms(container),
        *await stored_bookings(container),
        *users.items,
        *closures.items,
    ]
    return [dataclasses.astuple(entity) for entity in entities]
