"""Repositories: rows in, domain objects out, mapped by hand so the domain owns its shape."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from campus_booking.adapters.database.tables import bookings, room_features, rooms, users
from campus_booking.domain.bookings import Booking, BookingStatus
from campus_booking.domain.errors import Conflict
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot
from campus_booking.domain.users import Role, User


def _user_row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "is_active": user.is_active,
        "token_version": user.token_version,
        "created_at": user.created_at,
    }


def _user_from(row: RowMapping) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        full_name=row["full_name"],
        role=Role(row["role"]),
        password_hash=row["password_hash"],
        is_active=row["is_active"],
        token_version=row["token_version"],
        created_at=row["created_at"],
    )


def _room_row(room: Room) -> dict[str, Any]:
    return {
        "id": room.id,
        "name": room.name,
        "building": room.building,
        "capacity": room.capacity,
        "requires_approval": room.requires_approval,
        "is_active": room.is_active,
        "created_at": room.created_at,
    }


def _room_from(row: RowMapping, features: Iterable[str]) -> Room:
    return Room(
        id=row["id"],
        name=row["name"],
        building=row["building"],
        capacity=row["capacity"],
        features=frozenset(features),
        requires_approval=row["requires_approval"],
        is_active=row["is_active"],
        created_at=row["created_at"],
    )


def _booking_row(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "room_id": booking.room_id,
        "requester_id": booking.requester_id,
        "starts_at": booking.slot.start,
        "ends_at": booking.slot.end,
        "title": booking.title,
        "attendees": booking.attendees,
        "status": booking.status.value,
        "decided_by": booking.decided_by,
        "decided_at": booking.decided_at,
        "decision_reason": booking.decision_reason,
        "created_at": booking.created_at,
    }


def _booking_from(row: RowMapping) -> Booking:
    return Booking(
        id=row["id"],
        room_id=row["room_id"],
        requester_id=row["requester_id"],
        slot=TimeSlot(row["starts_at"], row["ends_at"]),
        title=row["title"],
        attendees=row["attendees"],
        status=BookingStatus(row["status"]),
        decided_by=row["decided_by"],
        decided_at=row["decided_at"],
        decision_reason=row["decision_reason"],
        created_at=row["created_at"],
    )


class SqlUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        try:
            await self._session.execute(insert(users).values(_user_row(user)))
        except IntegrityError as error:
            raise Conflict("An account with this email already exists.") from error

    async def get(self, user_id: UUID) -> User | None:
        row = (await self._session.execute(select(users).where(users.c.id == user_id))).first()
        return _user_from(row._mapping) if row else None

    async def get_by_email(self, email: str) -> User | None:
        row = (await self._session.execute(select(users).where(users.c.email == email))).first()
        return _user_from(row._mapping) if row else None

    async def save(self, user: User) -> None:
        await self._session.execute(
            update(users).where(users.c.id == user.id).values(_user_row(user))
        )


class SqlRoomRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, room: Room) -> None:
        try:
            await self._session.execute(insert(rooms).values(_room_row(room)))
        except IntegrityError as error:
            raise Conflict("A room with this name already exists.") from error
        await self._write_features(room)

    async def get(self, room_id: UUID) -> Room | None:
        row = (await self._session.execute(select(rooms).where(rooms.c.id == room_id))).first()
        if row is None:
            return None
        features = await self._session.scalars(
            select(room_features.c.feature).where(room_features.c.room_id == room_id)
        )
        return _room_from(row._mapping, features)

    async def save(self, room: Room) -> None:
        try:
            await self._session.execute(
                update(rooms).where(rooms.c.id == room.id).values(_room_row(room))
            )
        except IntegrityError as error:
            raise Conflict("A room with this name already exists.") from error
        await self._session.execute(delete(room_features).where(room_features.c.room_id == room.id))
        await self._write_features(room)

    async def _write_features(self, room: Room) -> None:
        if room.features:
            await self._session.execute(
                insert(room_features),
                [{"room_id": room.id, "feature": tag} for tag in sorted(room.features)],
            )


class SqlBookingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, booking: Booking) -> None:
        await self._session.execute(insert(bookings).values(_booking_row(booking)))

    async def get(self, booking_id: UUID) -> Booking | None:
        row = (
            await self._session.execute(select(bookings).where(bookings.c.id == booking_id))
        ).first()
        return _booking_from(row._mapping) if row else None

    async def save(self, booking: Booking) -> None:
        await self._session.execute(
            update(bookings).where(bookings.c.id == booking.id).values(_booking_row(booking))
        )
