"""BcryptPasswordHasher: real bcrypt at the cheapest cost, and off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading

import bcrypt
import pytest

from campus_booking.adapters.security import passwords
from campus_booking.adapters.security.passwords import HASHING_NICENESS, BcryptPasswordHasher

PASSWORD = "correct horse battery"


@pytest.fixture
def hasher() -> BcryptPasswordHasher:
    return BcryptPasswordHasher(rounds=4)


async def test_a_hash_is_not_the_password_and_verifies(hasher: BcryptPasswordHasher) -> None:
    password_hash = await hasher.hash(PASSWORD)

    assert PASSWORD not in password_hash
    assert password_hash.startswith("$2b$04$")
    assert await hasher.verify(PASSWORD, password_hash) is True


async def test_two_hashes_of_one_password_differ_by_their_salt(
    hasher: BcryptPasswordHasher,
) -> None:
    assert await hasher.hash(PASSWORD) != await hasher.hash(PASSWORD)


@pytest.mark.parametrize("attempt", ["wrong horse battery", "correct horse batter", ""])
async def test_a_wrong_password_does_not_verify(hasher: BcryptPasswordHasher, attempt: str) -> None:
    assert await hasher.verify(attempt, await hasher.hash(PASSWORD)) is False


async def test_no_hash_never_verifies(hasher: BcryptPasswordHasher) -> None:
    assert await hasher.verify(PASSWORD, None) is False
    assert await hasher.verify("no such account", None) is False


@pytest.mark.parametrize("too_long", ["x" * 73, "é" * 37, PASSWORD + "y" * 60])
async def test_a_password_over_72_bytes_is_false_not_an_error(
    hasher: BcryptPasswordHasher, too_long: str
) -> None:
    """Not even against a hash of its own first 72 bytes, which is all bcrypt would read."""
    stored = await hasher.hash(too_long.encode()[:72].decode(errors="ignore"))

    assert await hasher.verify(too_long, stored) is False
    assert await hasher.verify(too_long, None) is False


@pytest.mark.parametrize(
    "password",
    [
        pytest.param("wrong horse battery", id="wrong password"),
        pytest.param(PASSWORD + "é" * 40, id="over 72 bytes"),
    ],
)
async def test_every_refusal_against_a_real_hash_costs_one_bcrypt_check(
    hasher: BcryptPasswordHasher, monkeypatch: pytest.MonkeyPatch, password: str
) -> None:
    """The attack: over 72 bytes skipped bcrypt for a real account (7 ms) but not for an
    unknown one (320 ms), so the answer's speed told whether the account exists."""
    stored = await hasher.hash(PASSWORD)
    checks = []
    real_checkpw = bcrypt.checkpw

    def counting_checkpw(candidate: bytes, hashed: bytes) -> bool:
        checks.append(hashed)
        return real_checkpw(candidate, hashed)

    monkeypatch.setattr(passwords.bcrypt, "checkpw", counting_checkpw)

    assert await hasher.verify(password, stored) is False
    assert await hasher.verify(password, None) is False
    assert len(checks) == 2
    assert checks[0] == stored.encode()  # against the stored hash itself: the same cost


async def test_hashing_leaves_the_event_loop_free() -> None:
    """A real-cost hash must not freeze the loop: a 10 ms ticker keeps running meanwhile."""
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # let the ticker start
    before = ticks
    password_hash = await BcryptPasswordHasher(rounds=12).hash(PASSWORD)
    during = ticks - before
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task

    assert password_hash.startswith("$2b$12$")
    assert during >= 3


@pytest.mark.skipif(sys.platform != "linux", reason="per-thread niceness is a Linux feature")
async def test_hashing_threads_run_below_the_event_loop_in_cpu_priority() -> None:
    hasher = BcryptPasswordHasher(rounds=4)
    loop_niceness = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    hashing_niceness = await hasher._off_loop(
        lambda _a, _b: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()), b"", b""
    )

    assert hashing_niceness == min(loop_niceness + HASHING_NICENESS, 19)
