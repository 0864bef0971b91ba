"""bcrypt password hashing, run in a worker thread so the event loop keeps serving."""

from __future__ import annotations

import asyncio

import bcrypt


class BcryptPasswordHasher:
    def __init__(self, rounds: int = 12) -> None:
        self._rounds = rounds
        self._dummy_hash: bytes | None = None

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(rounds=self._rounds)
        hashed = await asyncio.to_thread(bcrypt.hashpw, password.encode(), salt)
        return hashed.decode()

    async def verify(self, password: str, password_hash: str | None) -> bool:
        encoded = password.encode()
        if password_hash is None:
            await asyncio.to_thread(bcrypt.checkpw, encoded[:72], await self._dummy())
            return False
        if len(encoded) > 72:  # bcrypt 5 raises on these; no stored password is that long
            return False
        return await asyncio.to_thread(bcrypt.checkpw, encoded, password_hash.encode())

    async def _dummy(self) -> bytes:
        """A hash of the same cost as real ones, for checks against accounts that do not exist."""
        if self._dummy_hash is None:
            salt = bcrypt.gensalt(rounds=self._rounds)
            self._dummy_hash = await asyncio.to_thread(bcrypt.hashpw, b"no such account", salt)
        return self._dummy_hash
