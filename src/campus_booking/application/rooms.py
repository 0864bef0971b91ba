"""Use-cases of rooms: anyone signed in browses them; each writer checks its caller itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from campus_booking.application.actors import lock_actor
from campus_booking.application.booking_policies import check_policy_exists
from campus_booking.application.ports import Clock, UnitOfWorkFactory
from campus_booking.application.queries import Page, PageRequest, RoomFilter
from campus_booking.domain.errors import Conflict, NotFound
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User


@dataclass(frozen=True, slots=True)
class CreateRoomCommand:
    name: str
    building: str
    capacity: int
    features: Iterable[str] = ()
    requires_approval: bool = False
    time_zone: str | None = None  # None: the campus zone
    policy_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class UpdateRoomCommand:
    """`None` leaves a field as it is."""

    name: str | None = None
    building: str | None = None
    capacity: int | None = None
    features: Iterable[str] | None = None
    requires_approval: bool | None = None
    time_zone: str | None = None
    policy_id: UUID | None = None
    clear_policy: bool = False  # back to the campus defaults


class ListRooms:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, actor: User, filter: RoomFilter, page: PageRequest) -> Page[Room]:
        if filter.include_inactive:
            check_may(actor, Capability.LIST_INACTIVE_ROOMS)
        async with self._uow(read_only=True) as uow:
            return await uow.rooms.search(filter, page)


class GetRoom:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, room_id: UUID) -> Room:
        async with self._uow(read_only=True) as uow:
            room = await uow.rooms.get(room_id)
        if room is None:
            raise NotFound("Room not found.")
        return room


class CreateRoom:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, campus_zone: str = "UTC") -> None:
        self._uow = uow
        self._clock = clock
        self._campus_zone = campus_zone

    async def __call__(self, actor: User, command: CreateRoomCommand) -> Room:
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_ROOMS)
            await check_policy_exists(uow, command.policy_id)
            room = Room.create(
                name=command.name,
                building=command.building,
                capacity=command.capacity,
                features=command.features,
                requires_approval=command.requires_approval,
                time_zone=command.time_zone or self._campus_zone,
                policy_id=command.policy_id,
                now=self._clock.now(),
                by=actor.id,
            )
            await uow.rooms.add(room)
            await uow.commit()
        return room


class UpdateRoom:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, room_id: UUID, command: UpdateRoomCommand) -> Room:
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.MANAGE_ROOMS)
            room = await uow.rooms.get(room_id, lock=True)
            if room is None:
                raise NotFound("Room not found.")
            await check_policy_exists(uow, command.policy_id)
            room.update(
                name=command.name,
                building=command.building,
                capacity=command.capacity,
                features=command.features,
                requires_approval=command.requires_approval,
                time_zone=command.time_zone,
                policy_id=command.policy_id,
                clear_policy=command.clear_policy,
                by=actor.id,
                at=self._clock.now(),
            )
            await uow.rooms.save(room)
            await uow.commit()
        return room


class DeactivateRoom:
    """A deactivated room stays in history but takes no new bookings.

    Its upcoming bookings block the deactivation unless the caller asks to cancel them, which
    then happens in the same transaction.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User, room_id: UUID, *, cancel_bookings: bool = False) -> None:
        async with self._uow() as uow:
            actor = await lock_actor(uow, actor)
            check_may(actor, Capability.DEACTIVATE_ROOMS)
            room = await uow.rooms.get(room_id, lock=True)
            if room is None:
                raise NotFound("Room not found.")
            now = self._clock.now()
            room.deactivate(by=actor.id, at=now)
            await uow.rooms.save(room)
            upcoming = await uow.bookings.active_from(room_id, now, lock=True)
            if upcoming and not cancel_bookings:
                raise Conflict(
                    f"The room has {len(upcoming)} upcoming active booking(s); "
                    "deactivate it with cancel_bookings=true to cancel them."
                )
            for booking in upcoming:
                booking.cancel(by=actor.id, at=now)
                await uow.bookings.save(booking)
            await uow.commit()
