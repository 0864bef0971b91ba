"""Accounts: the user rows, and the locks that keep the last active admin in place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import String, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.direct_reads import DirectReader
from campus_booking.adapters.database.repositories.integrity import refusing_duplicates
from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.tables import users
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest, UserFilter
from campus_booking.domain.errors import Unique
from campus_booking.domain.users import Role, User

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
USERS_LOCKED = (
    select(users)
    .where(users.c.id.in_(bindparam("user_ids", expanding=True)))
    .order_by(users.c.id)
    .with_for_update(key_share=True)
)
USER_BY_EMAIL = select(users).where(users.c.email == bindparam("email"))


@cache
def _listing(*, by_role: bool, by_text: bool) -> Listing:
    """The listing for one shape of `UserFilter`: which of its filters are set."""
    query = select(users).order_by(users.c.email)
    if by_role:
        query = query.where(users.c.role == bindparam("role"))
    if by_text:
        pattern = bindparam("pattern", type_=String)
        query = query.where(
            or_(
                func.lower(users.c.email).like(pattern, escape="\\"),
                func.lower(users.c.full_name).like(pattern, escape="\\"),
            )
        )
    return Listing.of(query)


class SqlUserRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events  # notes what is handed out and taken in

    async def add(self, user: User) -> None:
        self._events.seen(user)
        with refusing_duplicates(Unique.ACCOUNT_EMAIL):
            await self._connection.execute(insert(users), _user_row(user))

    async def get(self, user_id: UUID, *, lock: bool = False) -> User | None:
        query = USER_BY_ID_LOCKED if lock else USER_BY_ID
        result = await self._connection.execute(query, {"user_id": user_id})
        row = result.first()
        return self._events.seen(_user_from(row)) if row else None

    async def get_by_email(self, email: str) -> User | None:
        result = await self._connection.execute(USER_BY_EMAIL, {"email": email})
        row = result.first()
        return self._events.seen(_user_from(row)) if row else None

    async def save(self, user: User) -> None:
        self._events.seen(user)
        await self._connection.execute(
            update(users).where(users.c.id == user.id).values(_user_row(user))
        )

    async def search(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        listing = _listing(by_role=filter.role is not None, by_text=bool(filter.text))
        parameters = {
            "role": filter.role.value if filter.role else None,
            "pattern": f"%{_escape_like(filter.text.lower())}%" if filter.text else None,
        }
        rows, total = await listing.fetch(self._connection, parameters, page)
        return Page([_user_from(row) for row in rows], total, page.limit, page.offset)

    async def lock_admins_and(self, user_ids: Iterable[UUID]) -> list[User]:
        result = await self._connection.execute(
            ADMINS_AND_USERS_LOCKED, {"user_ids": sorted(set(user_ids))}
        )
        return self._events.seen_all([_user_from(row) for row in result])

    async def lock_all(self, user_ids: Iterable[UUID]) -> list[User]:
        result = await self._connection.execute(USERS_LOCKED, {"user_ids": sorted(set(user_ids))})
        return self._events.seen_all([_user_from(row) for row in result])


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


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


class SqlAccountLookup:
    """`AccountLookup` on the driver directly (`direct_reads.py`): the read every
    authenticated request makes, without SQLAlchemy's execution layer."""

    def __init__(self, reads: DirectReader) -> None:
        self._reads = reads
        self._by_id = reads.prepared(USER_BY_ID)

    async def __call__(self, user_id: UUID) -> User | None:
        rows = await self._reads.rows(self._by_id, {"user_id": user_id})
        return _user_from(rows[0]) if rows else None


def _user_from(row: Sequence[Any]) -> User:
    """A row of the `users` columns, in table order."""
    user_id, email, full_name, role, password_hash, is_active, token_version, created_at = row
    return User(
        id=user_id,
        email=email,
        full_name=full_name,
        role=Role(role),
        password_hash=password_hash,
        is_active=is_active,
        token_version=token_version,
        created_at=created_at,
    )
