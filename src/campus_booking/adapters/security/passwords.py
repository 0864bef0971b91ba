"""bcrypt password hashing, off the event loop and below it in CPU priority."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import bcrypt

T = TypeVar("T")

# Hashes may take a while; requests that need no hash must not wait behind them. bcrypt runs
# in its own small pool whose threads are niced, so on a busy machine the event loop thread
# gets the CPU first and a burst of sign-ins slows sign-ins, not everything else.
HASHING_THREADS = 2
HASHING_NICENESS = 10
MAX_BCRYPT_BYTES = 72  # bcrypt reads no further, and bcrypt 5 raises on longer input


def _lower_priority(niceness: int) -> None:
    with contextlib.suppress(AttributeError, OSError):  # Linux sets niceness per thread
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


class BcryptPasswordHasher:
    """`threads` and `niceness` set this hasher's share of the CPU: sign-ups get a hasher of
    their own, one thread niced further than the sign-ins', so a flood of them leaves sign-ins
    the CPU first."""

    def __init__(
        self, rounds: int = 12, *, threads: int = HASHING_THREADS, niceness: int = HASHING_NICENESS
    ) -> None:
        self._rounds = rounds
        self._dummy_hash: bytes | None = None
        self._executor = ThreadPoolExecutor(
            threads, thread_name_prefix="bcrypt", initializer=_lower_priority, initargs=(niceness,)
        )

    async def hash(self, password: str) -> str:
        salt = bcrypt.gensalt(rounds=self._rounds)
        hashed = await self._off_loop(bcrypt.hashpw, password.encode(), salt)
        return hashed.decode()

    async def verify(self, password: str, password_hash: str | None) -> bool:
        """One bcrypt check on every path, so that no refusal answers faster than another.

        A password over 72 bytes can never match (bcrypt 5 refuses them, and none is stored),
        but answering it at once told a real account (7 ms) from an unknown one (320 ms): its
        first 72 bytes are checked against the stored hash all the same, and the result dropped.
        """
        encoded = password.encode()
        too_long = len(encoded) > MAX_BCRYPT_BYTES
        stored = password_hash.encode() if password_hash is not None else await self._dummy()
        matches = await self._off_loop(bcrypt.checkpw, encoded[:MAX_BCRYPT_BYTES], stored)
        return matches and password_hash is not None and not too_long

    async def _off_loop(
        self, function: Callable[[bytes, bytes], T], first: bytes, second: bytes
    ) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, first, second)

    async def _dummy(self) -> bytes:
        """A hash of the same cost as real ones, for checks against accounts that do not exist."""
        if self._dummy_hash is None:
            salt = bcrypt.gensalt(rounds=self._rounds)
            self._dummy_hash = await self._off_loop(bcrypt.hashpw, b"no such account", salt)
        return self._dummy_hash
