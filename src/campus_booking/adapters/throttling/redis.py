"""Attempt counts in Redis, shared by every server process.

A reservation is one MULTI transaction: INCR, EXPIRE NX (the first attempt of a window sets its
end; later ones leave it) and TTL. INCR answers the new count, so of any number of concurrent
reservations, from any number of processes, exactly one sees each count: no two can both see
room under the limit. Redis expires the window itself.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.exceptions import RedisError

from campus_booking.domain.errors import Unavailable

# Gives one attempt back, atomically, and never below zero: a plain DECR on a key that expired
# meanwhile would create it at -1 with no expiry, a window that never ends.
RELEASE = """
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 1 then
  return redis.call('DECR', KEYS[1])
end
redis.call('DEL', KEYS[1])
return 0
"""


def redis_client(url: str) -> Redis:
    """A client that gives up on a server that does not answer within two seconds."""
    return Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)


class RedisFailureCounter:
    """Counts through a client it does not own: whoever made the client closes it."""

    def __init__(self, redis: Redis, *, window_seconds: int) -> None:
        self._redis = redis
        self._window = window_seconds
        self._release = self._redis.register_script(RELEASE)

    async def reserve(self, key: str) -> tuple[int, int]:
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._window, nx=True)
                pipe.ttl(key)
                count, _, ttl = await pipe.execute()
        except RedisError as error:
            raise _unavailable() from error
        return int(count), ttl if ttl > 0 else self._window

    async def release(self, key: str) -> None:
        try:
            await self._release(keys=[key])
        except RedisError as error:
            raise _unavailable() from error

    async def clear(self, key: str) -> None:
        try:
            await self._redis.delete(key)
        except RedisError as error:
            raise _unavailable() from error


def _unavailable() -> Unavailable:
    # Throttling is a safeguard: without its store, sign-in waits rather than runs unguarded.
    return Unavailable("The sign-in throttle store is not answering; try again shortly.")
