"""Test doubles for the application's ports: a see-through hasher and a lost race."""

from __future__ import annotations

import asyncio
from typing import Self

from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from tests.doubles import BlindOverlapCheck


class FakeHasher:
    """Fast and transparent; records every hash and verify, to check the timing rules.

    Each check yields to the event loop once, as bcrypt in its thread does, so that attempts
    sent together really are in flight together.
    """

    def __init__(self) -> None:
        self.verified: list[tuple[str, str | None]] = []
        self.hashed: list[str] = []

    async def hash(self, password: str) -> str:
        self.hashed.append(password)
        return "hashed:" + password

    async def verify(self, password: str, password_hash: str | None) -> bool:
        self.verified.append((password, password_hash))
        await asyncio.sleep(0)
        return password_hash == "hashed:" + password


class BlindUnitOfWork(MemoryUnitOfWork):
    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.bookings = BlindOverlapCheck(self.bookings)  # type: ignore[assignment]
        return self


class RacedUnitOfWorkFactory:
    """Hands out a blind unit of work for the first write, honest ones after; logs each one."""

    def __init__(self, store: MemoryStore) -> None:
        self._store = store
        self.opened: list[bool] = []  # read_only of each unit of work handed out

    def __call__(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        first_write = not read_only and False not in self.opened
        self.opened.append(read_only)
        if first_write:
            return BlindUnitOfWork(self._store)
        return MemoryUnitOfWork(self._store, read_only=read_only)
