"""A bound on password hashing: a few at once, a short line, and past that a refusal.

bcrypt is the one costly thing the service does for anonymous callers. Unbounded, a flood of
sign-ups queued every sign-in behind it (48 looping clients pushed a sign-in from 0.32 s to
8.3 s). Each budget admits `concurrent` hashes or checks at once in this process and lets
`waiting` more wait; the next is refused at once with `Overloaded` (503 with Retry-After).
Sign-ins and sign-ups get separate budgets, so sign-ups cannot take the sign-ins' places.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from campus_booking.application.ports import PasswordHasher
from campus_booking.domain.errors import Overloaded

T = TypeVar("T")


class BoundedPasswordHasher:
    """A `PasswordHasher` that admits at most `concurrent + waiting` calls at a time."""

    def __init__(
        self, inner: PasswordHasher, *, concurrent: int, waiting: int, refusal: str
    ) -> None:
        self._inner = inner
        self._slots = asyncio.Semaphore(concurrent)
        self._admitted = 0
        self._capacity = concurrent + waiting
        self._refusal = refusal

    async def hash(self, password: str) -> str:
        return await self._admit(lambda: self._inner.hash(password))

    async def verify(self, password: str, password_hash: str | None) -> bool:
        return await self._admit(lambda: self._inner.verify(password, password_hash))

    async def _admit(self, work: Callable[[], Awaitable[T]]) -> T:
        if self._admitted >= self._capacity:
            raise Overloaded(self._refusal)
        self._admitted += 1
        try:
            async with self._slots:
                return await work()
        finally:
            self._admitted -= 1
