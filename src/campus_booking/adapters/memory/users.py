"""Accounts in memory; an email is unique, as the database's index makes it."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from uuid import UUID

from campus_booking.adapters.memory.paging import page_of
from campus_booking.adapters.memory.rows import Rows
from campus_booking.adapters.memory.store import MemoryStore
from campus_booking.application.queries import Page, PageRequest, UserFilter
from campus_booking.domain.errors import AlreadyExists, Unique
from campus_booking.domain.users import Role, User


class MemoryUserRepository(Rows[User]):
    async def add(self, user: User) -> None:
        if any(other.email == user.email for other in self._rows.values()):
            raise AlreadyExists(Unique.ACCOUNT_EMAIL)
        await self.save(user)

    async def get_by_email(self, email: str) -> User | None:
        found = next((user for user in self._rows.values() if user.email == email), None)
        return self._handed_out(found)

    async def search(self, filter: UserFilter, page: PageRequest) -> Page[User]:
        text = (filter.text or "").casefold()
        matches = [
            user
            for user in sorted(self._rows.values(), key=lambda user: user.email)
            if (filter.role is None or user.role is filter.role)
            and (text in user.email.casefold() or text in user.full_name.casefold())
        ]
        return page_of(matches, page)

    async def lock_admins_and(self, user_ids: Iterable[UUID]) -> list[User]:
        named = set(user_ids)
        return self._all_handed_out(
            sorted(
                (
                    user
                    for user in self._rows.values()
                    if user.id in named or (user.role is Role.ADMIN and user.is_active)
                ),
                key=lambda user: user.id,
            )
        )

    async def lock_all(self, user_ids: Iterable[UUID]) -> list[User]:
        named = set(user_ids)
        return self._all_handed_out(
            sorted((user for user in self._rows.values() if user.id in named), key=lambda u: u.id)
        )


class MemoryAccountLookup:
    """`AccountLookup` on a store: a copy of the account as it is now, as the database reads it."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store

    async def __call__(self, user_id: UUID) -> User | None:
        user = self._store.users.get(user_id)
        return copy.deepcopy(user) if user is not None else None
