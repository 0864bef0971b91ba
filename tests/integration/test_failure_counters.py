"""Both failure counters keep the same contract; the Redis one against the real server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.adapters.throttling.redis import RedisFailureCounter
from campus_booking.application.ports import FailureCounter
from campus_booking.domain.errors import Unavailable

WINDOW_SECONDS = 60


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def counter(request: pytest.FixtureRequest) -> AsyncIterator[FailureCounter]:
    if request.param == "memory":
        clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
        memory = MemoryFailureCounter(window_seconds=WINDOW_SECONDS, clock=clock)
        yield memory
        await memory.aclose()
    else:
        redis = RedisFailureCounter(
            url=request.getfixturevalue("redis_url"), window_seconds=WINDOW_SECONDS
        )
        yield redis
        await redis.aclose()


def new_key() -> str:
    return f"test:{uuid.uuid4().hex}"


async def test_an_unknown_key_has_no_failures(counter: FailureCounter) -> None:
    assert await counter.failures(new_key()) == (0, 0)


async def test_failures_add_up_within_one_window(counter: FailureCounter) -> None:
    key = new_key()
    for _ in range(3):
        await counter.add_failure(key)

    count, seconds_left = await counter.failures(key)

    assert count == 3
    assert WINDOW_SECONDS - 2 <= seconds_left <= WINDOW_SECONDS


async def test_keys_are_counted_apart_and_clear_forgets_one(counter: FailureCounter) -> None:
    first, second = new_key(), new_key()
    await counter.add_failure(first)
    await counter.add_failure(second)
    await counter.add_failure(second)

    await counter.clear(second)

    assert (await counter.failures(first))[0] == 1
    assert await counter.failures(second) == (0, 0)


async def test_the_memory_window_ends_at_the_first_failure_plus_its_length() -> None:
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
    counter = MemoryFailureCounter(window_seconds=WINDOW_SECONDS, clock=clock)
    key = new_key()
    await counter.add_failure(key)
    clock.advance(timedelta(seconds=WINDOW_SECONDS - 10))
    await counter.add_failure(key)  # a later failure does not push the end back

    assert await counter.failures(key) == (2, 10)
    clock.advance(timedelta(seconds=10))
    assert await counter.failures(key) == (0, 0)
    await counter.add_failure(key)
    assert await counter.failures(key) == (1, WINDOW_SECONDS)


@pytest.mark.redis
async def test_the_redis_window_expires_on_the_server(redis_url: str) -> None:
    counter = RedisFailureCounter(url=redis_url, window_seconds=1)
    key = new_key()
    try:
        await counter.add_failure(key)
        await counter.add_failure(key)
        assert (await counter.failures(key))[0] == 2
        await asyncio.sleep(1.2)
        assert await counter.failures(key) == (0, 0)
    finally:
        await counter.aclose()


@pytest.mark.redis
async def test_two_processes_worth_of_clients_share_one_count(redis_url: str) -> None:
    """Each server process has its own client; the count lives on the server."""
    workers = [RedisFailureCounter(url=redis_url, window_seconds=WINDOW_SECONDS) for _ in "ab"]
    key = new_key()
    try:
        await asyncio.gather(*(worker.add_failure(key) for worker in workers for _ in range(5)))
        assert [(await worker.failures(key))[0] for worker in workers] == [10, 10]
    finally:
        for worker in workers:
            await worker.aclose()


async def test_an_unreachable_redis_is_unavailable_not_a_crash() -> None:
    counter = RedisFailureCounter(url="redis://127.0.0.1:1/0", window_seconds=WINDOW_SECONDS)
    try:
        with pytest.raises(Unavailable):
            await counter.failures(new_key())
        with pytest.raises(Unavailable):
            await counter.add_failure(new_key())
    finally:
        await counter.aclose()
