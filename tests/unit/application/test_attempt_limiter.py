"""The attempt limiter: an attempt counts under each key in turn, up to the first that refuses."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.throttling import AttemptLimiter
from campus_booking.domain.errors import TooManyAttempts
from tests.unit.builders import NOW


class RecordingCounter(MemoryFailureCounter):
    def __init__(self) -> None:
        super().__init__(window_seconds=60, clock=FixedClock(NOW))
        self.reserved: list[str] = []

    async def reserve(self, key: str) -> tuple[int, int]:
        self.reserved.append(key)
        return await super().reserve(key)


async def test_an_attempt_refused_by_one_key_never_counts_under_the_keys_after_it() -> None:
    """The race: in a burst of wrong passwords on one account, the attempts its own limit
    refused still counted against the client for a moment, so the client's limit refused
    attempts the account's limit had let through, and fewer than the limit were checked."""
    counter = RecordingCounter()
    limiter = AttemptLimiter(counter)
    limits = {"pair": 1, "client": 50}
    await limiter.reserve(limits, "refused")
    counter.reserved.clear()

    with pytest.raises(TooManyAttempts) as refused:
        await limiter.reserve(limits, "refused")

    assert counter.reserved == ["pair"]
    assert refused.value.retry_after == 60
    assert await counter.reserve("pair") == (2, 60)  # the refused attempt was given back
    assert await counter.reserve("client") == (2, 60)  # the first attempt, and this one


async def test_an_attempt_within_every_limit_counts_under_every_key() -> None:
    counter = RecordingCounter()
    reservation = await AttemptLimiter(counter).reserve({"pair": 5, "client": 50}, "refused")
    assert reservation.keys == ("pair", "client")
    assert counter.reserved == ["pair", "client"]
