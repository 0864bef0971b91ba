"""Failure counts in Redis, shared by every server process: INCR, and EXPIRE NX at the first
failure of a window, in one transaction. Redis expires the window itself."""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from campus_booking.domain.errors import Unavailable


class RedisFailureCounter:
    def __init__(self, *, url: str, window_seconds: int) -> None:
        self._redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self._window = window_seconds

    async def failures(self, key: str) -> tuple[int, int]:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.get(key)
                pipe.ttl(key)
                count, ttl = await pipe.execute()
        except RedisError as error:
            raise _unavailable() from error
        if count is None:
            return 0, 0
        return int(count), ttl if ttl > 0 else self._window

    async def add_failure(self, key: str) -> None:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._window, nx=True)
                await pipe.execute()
        except RedisError as error:
            raise _unavailable() from error

    async def clear(self, key: str) -> None:
        try:
            await self._redis.delete(key)
        except RedisError as error:
            raise _unavailable() from error

    async def aclose(self) -> None:
        await self._redis.aclose()


def _unavailable() -> Unavailable:
    # Throttling is a safeguard: without its store, sign-in waits rather than runs unguarded.
    return Unavailable("The sign-in throttle store is not answering; try again shortly.")
