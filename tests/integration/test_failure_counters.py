"""Both failure counters keep the same contract; the Redis one against the real server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.adapters.throttling.redis import RedisFailureCounter, redis_client
from campus_booking.application.ports import FailureCounter
from campus_booking.application.throttling import LoginThrottle
from campus_booking.domain.errors import TooManyAttempts, Unavailable

WINDOW_SECONDS = 60


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def counter(request: pytest.FixtureRequest) -> AsyncIterator[FailureCounter]:
    if request.param == "memory":
        clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
        yield MemoryFailureCounter(window_seconds=WINDOW_SECONDS, clock=clock)
    else:
        redis = redis_client(request.getfixturevalue("redis_url"))
        yield RedisFailureCounter(redis, window_seconds=WINDOW_SECONDS)
        await redis.aclose()


def new_key() -> str:
    return f"test:{uuid.uuid4().hex}"


LIMIT = 5


async def test_the_first_reservation_of_a_key_counts_one_and_opens_a_window(
    counter: FailureCounter,
) -> None:
    assert await counter.reserve(new_key()) == (1, WINDOW_SECONDS)


async def test_reservations_add_up_within_one_window(counter: FailureCounter) -> None:
    key = new_key()
    for _ in range(2):
        await counter.reserve(key)

    count, seconds_left = await counter.reserve(key)

    assert count == 3
    assert WINDOW_SECONDS - 2 <= seconds_left <= WINDOW_SECONDS


async def test_release_gives_one_back_and_clear_forgets_a_key(counter: FailureCounter) -> None:
    first, second = new_key(), new_key()
    for _ in range(3):
        await counter.reserve(first)
    await counter.reserve(second)

    await counter.release(first)
    await counter.clear(second)

    assert (await counter.reserve(first))[0] == 3
    assert (await counter.reserve(second))[0] == 1


async def test_release_never_goes_below_zero(counter: FailureCounter) -> None:
    key = new_key()
    await counter.release(key)
    await counter.release(key)

    assert (await counter.reserve(key))[0] == 1


async def test_100_concurrent_reservations_let_exactly_the_limit_through(
    counter: FailureCounter,
) -> None:
    """The attack was a burst: every reservation sees its own count, so only `LIMIT` see room."""
    key = new_key()

    counts = await asyncio.gather(*(counter.reserve(key) for _ in range(100)))

    assert sorted(count for count, _ in counts) == list(range(1, 101))
    assert sum(count <= LIMIT for count, _ in counts) == LIMIT


async def test_the_memory_window_ends_at_the_first_attempt_plus_its_length() -> None:
    clock = FixedClock(datetime(2030, 1, 1, tzinfo=UTC))
    counter = MemoryFailureCounter(window_seconds=WINDOW_SECONDS, clock=clock)
    key = new_key()
    await counter.reserve(key)
    clock.advance(timedelta(seconds=WINDOW_SECONDS - 10))

    assert await counter.reserve(key) == (2, 10)  # a later attempt does not push the end back
    clock.advance(timedelta(seconds=10))
    assert await counter.reserve(key) == (1, WINDOW_SECONDS)


@pytest.mark.redis
async def test_the_redis_window_expires_on_the_server(redis_url: str) -> None:
    redis = redis_client(redis_url)
    counter = RedisFailureCounter(redis, window_seconds=1)
    key = new_key()
    try:
        await counter.reserve(key)
        assert (await counter.reserve(key))[0] == 2
        await asyncio.sleep(1.2)
        assert (await counter.reserve(key))[0] == 1
    finally:
        await redis.aclose()


@pytest.mark.redis
async def test_a_release_after_the_window_expired_leaves_no_endless_key(redis_url: str) -> None:
    """A plain DECR would create the key at -1 without an expiry."""
    redis = redis_client(redis_url)
    counter = RedisFailureCounter(redis, window_seconds=1)
    key = new_key()
    try:
        await counter.reserve(key)
        await asyncio.sleep(1.2)
        await counter.release(key)

        assert await counter.reserve(key) == (1, 1)
    finally:
        await redis.aclose()


@pytest.mark.redis
async def test_two_processes_reserving_together_let_exactly_the_limit_through(
    redis_url: str,
) -> None:
    """Each server process has its own client; the count lives on the server."""
    clients = [redis_client(redis_url) for _ in "ab"]
    workers = [RedisFailureCounter(redis, window_seconds=WINDOW_SECONDS) for redis in clients]
    key = new_key()
    try:
        counts = await asyncio.gather(
            *(worker.reserve(key) for worker in workers for _ in range(50))
        )
        assert sorted(count for count, _ in counts) == list(range(1, 101))
        assert sum(count <= LIMIT for count, _ in counts) == LIMIT
    finally:
        for redis in clients:
            await redis.aclose()


@pytest.mark.redis
async def test_100_concurrent_sign_in_attempts_on_redis_let_exactly_the_limit_through(
    redis_url: str,
) -> None:
    redis = redis_client(redis_url)
    counter = RedisFailureCounter(redis, window_seconds=WINDOW_SECONDS)
    throttle = LoginThrottle(
        counter, per_account_and_client=LIMIT, per_account=1000, per_client=1000
    )
    account = f"{uuid.uuid4().hex}@uni.example"

    async def one() -> bool:
        try:
            await throttle.reserve(account=account, client="192.0.2.1")
        except TooManyAttempts:
            return False
        return True

    try:
        admitted = await asyncio.gather(*(one() for _ in range(100)))
        assert sum(admitted) == LIMIT
    finally:
        await redis.aclose()


async def test_an_unreachable_redis_is_unavailable_not_a_crash() -> None:
    redis = redis_client("redis://127.0.0.1:1/0")
    counter = RedisFailureCounter(redis, window_seconds=WINDOW_SECONDS)
    try:
        with pytest.raises(Unavailable):
            await counter.reserve(new_key())
        with pytest.raises(Unavailable):
            await counter.release(new_key())
    finally:
        await redis.aclose()
