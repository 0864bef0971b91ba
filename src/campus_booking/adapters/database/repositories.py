"""Repositories: rows in, domain objects out, mapped by hand so the domain owns its shape.

The statements of the hot paths (every request's user lookup, booking a slot) are built once,
with bind parameters: building a statement and its cache key cost more CPU than running it
from SQLAlchemy's compiled-statement cache.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    RowMapping,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.tables import (
    OVERLAP_GUARD,
    audit_log,
    bookings,
    room_features,
    rooms,
    users,
)
from campus_booking.application.queries import (
    AuditFilter,
    BookingFilter,
    Page,
    PageRequest,
    RoomFilter,
    UserFilter,
)
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.bookings import ACTIVE_STATUSES, Booking, BookingStatus
from campus_booking.domain.errors import Conflict, SlotTaken
from campus_booking.domain.rooms import Room
from campus_booking.domain.time_slots import TimeSlot, lookback_start
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


def _room_from(row: RowMapping) -> Room:
    features = row["features"]
    return Room(
        id=row["id"],
        name=row["name"],
        building=row["building"],
        capacity=row["capacity"],
        features=frozenset(features.split(FEATURE_SEPARATOR) if features else ()),
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


ACTIVE = [status.value for status in ACTIVE_STATUSES]


def _is_overlap_violation(error: IntegrityError) -> bool:
    """PostgreSQL's exclusion constraint (SQLSTATE 23P01) or SQLite's trigger refused a write."""
    return getattr(error.orig, "sqlstate", None) == "23P01" or OVERLAP_GUARD in str(error.orig)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def _page_of(
    connection: AsyncConnection,
    query: Select[Any],
    page: PageRequest,
    *,
    page_columns: Iterable[ColumnElement[Any]] = (),
) -> tuple[list[RowMapping], int]:
    """A page of `query` (with `page_columns` added) and the total of all its matches.

    The page comes first: when it holds rows but fewer than asked for, it is the last one
    and the total follows from it. Otherwise a count runs, as a query of its own; a window
    count would make the database build every matching row in full before the limit applies
    (1,000 rooms on SQLite: 1.2 ms against 0.3 ms for a page and a count).
    """
    paged = query.add_columns(*page_columns).limit(page.limit).offset(page.offset)
    rows = list((await connection.execute(paged)).mappings().all())
    if 0 < len(rows) < page.limit or (not rows and page.offset == 0):
        return rows, page.offset + len(rows)
    total = await connection.scalar(
        select(func.count()).select_from(query.order_by(None).subquery())
    )
    return rows, total or 0


USER_BY_ID = select(users).where(users.c.id == bindparam("user_id"))
# PostgreSQL: FOR NO KEY UPDATE holds a row against other writers, while foreign keys that
# point at it (a new booking's requester) need only KEY SHARE and do not wait.
USER_BY_ID_LOCKED = USER_BY_ID.with_for_update(key_share=True)
ADMINS_AND_USERS_LOCKED = (
    select(users)
    .where(
        or_(
            and_(users.c.role == Role.ADMIN.value, users.c.is_active.is_(True)),
            users.c.id.in_(bindparam("user_ids", expanding=True)),
        )
    )
    .order_by(users.c.id)
    .with_for_update(key_share=True)
)
USER_BY_EMAIL = select(users).where(users.c.email == bindparam("email"))


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, user: User) -> None:
        try:
            await self._connection.execute(insert(users), _user_row(user))
        except IntegrityError as error:
            raise Conflict("An account with this email already exists.") from error

    async def get(self, user_id: UUID, *, lock: bool = False) -> User | None:
        query = USER_BY_ID_LOCKED if lock else USER_BY_ID
        result = await self._connection.execute(query, {"user_id": user_id})
        row = result.mappings().first()
        return _user_from(row) if row else None

    async def get_by_email(self, email: str) -> User | None:
        result = await self._connection.execute(USER_BY_EMAIL, {"email": email})
        row = result.mappings().first()
        return _user_from(row) if row else None

    async def save(self, user: User) -> None:
        await self._connection.execute(
            update(users).where(users.c.id == user.id).values(_user_row(user))
        )

    async def search(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        query = select(users).order_by(users.c.email)
        if filter.role is not None:
            query = query.where(users.c.role == filter.role.value)
        if filter.text:
            pattern = f"%{_escape_like(filter.text.lower())}%"
            query = query.where(
                or_(
                    func.lower(users.c.email).like(pattern, escape="\\"),
                    func.lower(users.c.full_name).like(pattern, escape="\\"),
                )
            )
        rows, total = await _page_of(self._connection, query, page)
        return Page([_user_from(row) for row in rows], total, page.limit, page.offset)

    async def lock_admins_and(self, user_ids: Iterable[UUID]) -> list[User]:
        result = await self._connection.execute(
            ADMINS_AND_USERS_LOCKED, {"user_ids": sorted(set(user_ids))}
        )
        return [_user_from(row) for row in result.mappings()]


# A room's features come as one column of comma-separated tags (a tag never holds a comma),
# so a room, or a page of rooms, is one statement.
FEATURE_SEPARATOR = ","
ROOM_FEATURES = (
    select(func.aggregate_strings(room_features.c.feature, FEATURE_SEPARATOR))
    .where(room_features.c.room_id == rooms.c.id)
    .scalar_subquery()
    .label("features")
)
ROOM_BY_ID = select(rooms, ROOM_FEATURES).where(rooms.c.id == bindparam("room_id"))
# PostgreSQL: FOR NO KEY UPDATE, so writers of one room's bookings take turns and each sees
# the one before (waiting on each other's uncommitted rows instead can deadlock). Foreign keys
# only need KEY SHARE, so nothing else waits. SQLite's IMMEDIATE transactions already run one
# at a time.
ROOM_BY_ID_LOCKED = ROOM_BY_ID.with_for_update(of=rooms, key_share=True)
ROOM_OF_BOOKING_LOCKED = (
    select(rooms, ROOM_FEATURES)
    .where(
        rooms.c.id
        == select(bookings.c.room_id)
        .where(bookings.c.id == bindparam("booking_id"))
        .scalar_subquery()
    )
    .with_for_update(of=rooms, key_share=True)
)


class SqlRoomRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, room: Room) -> None:
        try:
            await self._connection.execute(insert(rooms), _room_row(room))
        except IntegrityError as error:
            raise Conflict("A room with this name already exists.") from error
        await self._write_features(room)

    async def get(self, room_id: UUID, *, lock: bool = False) -> Room | None:
        query = ROOM_BY_ID_LOCKED if lock else ROOM_BY_ID
        row = (await self._connection.execute(query, {"room_id": room_id})).mappings().first()
        return _room_from(row) if row else None

    async def lock_of_booking(self, booking_id: UUID) -> Room | None:
        result = await self._connection.execute(ROOM_OF_BOOKING_LOCKED, {"booking_id": booking_id})
        row = result.mappings().first()
        return _room_from(row) if row else None

    async def search(self, filter: RoomFilter, page: PageRequest) -> Page[Room]:
        query = select(rooms).order_by(rooms.c.name, rooms.c.id)
        if not filter.include_inactive:
            query = query.where(rooms.c.is_active.is_(True))
        if filter.min_capacity is not None:
            query = query.where(rooms.c.capacity >= filter.min_capacity)
        if filter.building is not None:
            query = query.where(rooms.c.building == filter.building)
        if filter.features:
            having_all = (
                select(room_features.c.room_id)
                .where(room_features.c.feature.in_(sorted(filter.features)))
                .group_by(room_features.c.room_id)
                .having(func.count() == len(filter.features))
            )
            query = query.where(rooms.c.id.in_(having_all))
        rows, total = await _page_of(self._connection, query, page, page_columns=[ROOM_FEATURES])
        return Page([_room_from(row) for row in rows], total, page.limit, page.offset)

    async def save(self, room: Room) -> None:
        try:
            await self._connection.execute(
                update(rooms).where(rooms.c.id == room.id).values(_room_row(room))
            )
        except IntegrityError as error:
            raise Conflict("A room with this name already exists.") from error
        await self._connection.execute(
            delete(room_features).where(room_features.c.room_id == room.id)
        )
        await self._write_features(room)

    async def _write_features(self, room: Room) -> None:
        if room.features:
            await self._connection.execute(
                insert(room_features),
                [{"room_id": room.id, "feature": tag} for tag in sorted(room.features)],
            )


_ACTIVE_IN_ROOM = (
    select(bookings)
    .where(
        bookings.c.room_id == bindparam("room_id"),
        bookings.c.status.in_(ACTIVE),
        # Bookings last at most a day: a lower bound on the start lets the index bound the scan.
        bookings.c.starts_at > bindparam("lookback"),
    )
    .order_by(bookings.c.starts_at)
)
ACTIVE_FROM = _ACTIVE_IN_ROOM.where(bookings.c.ends_at > bindparam("start"))
ACTIVE_FROM_LOCKED = ACTIVE_FROM.with_for_update(key_share=True)
OVERLAPPING = ACTIVE_FROM.where(bookings.c.starts_at < bindparam("end"))
OVERLAPPING_OTHERS = OVERLAPPING.where(bookings.c.id != bindparam("ignore"))
BOOKING_BY_ID = select(bookings).where(bookings.c.id == bindparam("booking_id"))
BOOKING_BY_ID_LOCKED = BOOKING_BY_ID.with_for_update(key_share=True)


class SqlBookingRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, booking: Booking) -> None:
        try:
            await self._connection.execute(insert(bookings), _booking_row(booking))
        except IntegrityError as error:
            if _is_overlap_violation(error):
                raise SlotTaken() from error
            raise

    async def get(self, booking_id: UUID, *, lock: bool = False) -> Booking | None:
        query = BOOKING_BY_ID_LOCKED if lock else BOOKING_BY_ID
        result = await self._connection.execute(query, {"booking_id": booking_id})
        row = result.mappings().first()
        return _booking_from(row) if row else None

    async def save(self, booking: Booking) -> None:
        try:
            await self._connection.execute(
                update(bookings).where(bookings.c.id == booking.id).values(_booking_row(booking))
            )
        except IntegrityError as error:
            if _is_overlap_violation(error):
                raise SlotTaken() from error
            raise

    async def search(self, filter: BookingFilter, page: PageRequest) -> Page[Booking]:
        conditions: list[ColumnElement[bool]] = []
        if filter.requester_id is not None:
            conditions.append(bookings.c.requester_id == filter.requester_id)
        if filter.room_id is not None:
            conditions.append(bookings.c.room_id == filter.room_id)
        if filter.statuses:
            conditions.append(bookings.c.status.in_(sorted(s.value for s in filter.statuses)))
        if filter.ends_after is not None:
            conditions.append(bookings.c.ends_at > filter.ends_after)
            conditions.append(bookings.c.starts_at > lookback_start(filter.ends_after))
        if filter.starts_before is not None:
            conditions.append(bookings.c.starts_at < filter.starts_before)
        query = select(bookings).where(and_(True, *conditions))
        rows, total = await _page_of(
            self._connection, query.order_by(bookings.c.starts_at, bookings.c.id), page
        )
        return Page([_booking_from(row) for row in rows], total, page.limit, page.offset)

    async def overlapping(
        self, room_id: UUID, slot: TimeSlot, *, ignore: UUID | None = None
    ) -> list[Booking]:
        params = {
            "room_id": room_id,
            "lookback": lookback_start(slot.start),
            "start": slot.start,
            "end": slot.end,
        }
        if ignore is None:
            result = await self._connection.execute(OVERLAPPING, params)
        else:
            result = await self._connection.execute(
                OVERLAPPING_OTHERS, {**params, "ignore": ignore}
            )
        return [_booking_from(row) for row in result.mappings()]

    async def active_from(
        self, room_id: UUID, instant: datetime, *, lock: bool = False
    ) -> list[Booking]:
        params = {"room_id": room_id, "lookback": lookback_start(instant), "start": instant}
        result = await self._connection.execute(ACTIVE_FROM_LOCKED if lock else ACTIVE_FROM, params)
        return [_booking_from(row) for row in result.mappings()]

    async def count_active_of_requester(self, requester_id: UUID, instant: datetime) -> int:
        params = {"requester_id": requester_id, "start": instant}
        return await self._connection.scalar(COUNT_ACTIVE_OF_REQUESTER, params) or 0

    async def active_of_requester(self, requester_id: UUID, instant: datetime) -> list[Booking]:
        params = {"requester_id": requester_id, "start": instant}
        result = await self._connection.execute(ACTIVE_OF_REQUESTER, params)
        return [_booking_from(row) for row in result.mappings()]


# A requester's upcoming active bookings, found through the requester_id index. Ordered like
# the room's (`ACTIVE_FROM`), so that two cancellations over overlapping sets of bookings (a
# room's and a user's) lock their rows in the same order.
_ACTIVE_OF_REQUESTER = and_(
    bookings.c.requester_id == bindparam("requester_id"),
    bookings.c.status.in_(ACTIVE),
    bookings.c.ends_at > bindparam("start"),
)
COUNT_ACTIVE_OF_REQUESTER = select(func.count()).where(_ACTIVE_OF_REQUESTER)
ACTIVE_OF_REQUESTER = (
    select(bookings)
    .where(_ACTIVE_OF_REQUESTER)
    .order_by(bookings.c.starts_at, bookings.c.id)
    .with_for_update(key_share=True)  # they are cancelled and written back
)


class SqlAuditRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: AuditEntry) -> None:
        await self._connection.execute(
            insert(audit_log),
            {
                "id": entry.id,
                "occurred_at": entry.at,
                "actor_id": entry.actor_id,
                "entity": entry.entity.value,
                "entity_id": entry.entity_id,
                "action": entry.action.value,
                "before": entry.before,
                "after": entry.after,
            },
        )

    async def search(self, filter: AuditFilter, page: PageRequest) -> Page[AuditEntry]:
        query = select(audit_log).order_by(audit_log.c.occurred_at.desc(), audit_log.c.id)
        if filter.entity is not None:
            query = query.where(audit_log.c.entity == filter.entity.value)
        if filter.entity_id is not None:
            query = query.where(audit_log.c.entity_id == filter.entity_id)
        if filter.actor_id is not None:
            query = query.where(audit_log.c.actor_id == filter.actor_id)
        if filter.since is not None:
            query = query.where(audit_log.c.occurred_at >= filter.since)
        if filter.until is not None:
            query = query.where(audit_log.c.occurred_at < filter.until)
        rows, total = await _page_of(self._connection, query, page)
        return Page([_audit_entry_from(row) for row in rows], total, page.limit, page.offset)


def _audit_entry_from(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["occurred_at"],
        actor_id=row["actor_id"],
        entity=Entity(row["entity"]),
        entity_id=row["entity_id"],
        action=Action(row["action"]),
        before=row["before"],
        after=row["after"],
    )
