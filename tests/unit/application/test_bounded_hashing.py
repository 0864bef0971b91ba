"""BoundedPasswordHasher: a few hashes at once, a short line, and past that 503 at once."""

from __future__ import annotations

import asyncio

import pytest

from campus_booking.application.hashing import BoundedPasswordHasher
from campus_booking.domain.errors import Overloaded

REFUSAL = "Too many sign-ups at once; try again shortly."


class GatedHasher:
    """Every hash waits for the gate: the test decides when bcrypt 'finishes'."""

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.running = 0
        self.most_at_once = 0

    async def hash(self, password: str) -> str:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.gate.wait()
        finally:
            self.running -= 1
        return "hashed:" + password

    async def verify(self, password: str, password_hash: str | None) -> bool:
        return password_hash == await self.hash(password)


async def test_a_flood_past_the_line_is_refused_at_once_instead_of_queued() -> None:
    """The attack: a flood of sign-ups queued every other hash behind it."""
    inner = GatedHasher()
    bounded = BoundedPasswordHasher(inner, concurrent=2, waiting=3, refusal=REFUSAL)

    admitted = [asyncio.create_task(bounded.hash(f"p{n}")) for n in range(5)]
    await asyncio.sleep(0)
    with pytest.raises(Overloaded) as refused:
        await bounded.hash("one too many")

    assert refused.value.message == REFUSAL
    assert refused.value.retry_after >= 1
    inner.gate.set()
    assert len(await asyncio.gather(*admitted)) == 5
    assert inner.most_at_once == 2


async def test_places_come_back_when_hashes_finish_or_fail() -> None:
    inner = GatedHasher()
    bounded = BoundedPasswordHasher(inner, concurrent=1, waiting=0, refusal=REFUSAL)
    inner.gate.set()

    for _ in range(3):
        assert await bounded.verify("p", "hashed:p") is True

    class Failing(GatedHasher):
        async def hash(self, password: str) -> str:
            raise RuntimeError("bcrypt broke")

    failing = BoundedPasswordHasher(Failing(), concurrent=1, waiting=0, refusal=REFUSAL)
    for _ in range(3):
        with pytest.raises(RuntimeError):
            await failing.hash("p")
