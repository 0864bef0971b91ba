"""Attempt counts in this process's memory: right for a single server process.

Each method runs to its end without awaiting, so on the event loop it is one atomic step:
two concurrent reservations can never read the same count.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from campus_booking.application.ports import Clock

# Past this many keys, ended windows are swept out, so a flood of made-up emails stays bounded.
SWEEP_ABOVE_KEYS = 10_000


class MemoryFailureCounter:
    def __init__(self, *, window_seconds: int, clock: Clock) -> None:
        self._window = timedelta(seconds=window_seconds)
        self._clock = clock
        self._windows: dict[str, tuple[int, datetime]] = {}

    async def reserve(self, key: str) -> tuple[int, int]:
        count, ends = self._current(key)
        if not count:
            ends = self._clock.now() + self._window
            if len(self._windows) >= SWEEP_ABOVE_KEYS:
                self._sweep()
        self._windows[key] = (count + 1, ends)
        return count + 1, math.ceil((ends - self._clock.now()).total_seconds())

    async def release(self, key: str) -> None:
        count, ends = self._current(key)
        if count > 1:
            self._windows[key] = (count - 1, ends)
        elif count == 1:
            # Nothing left in the window: no attempt of it was kept, so the next one starts anew.
            del self._windows[key]

    async def clear(self, key: str) -> None:
        self._windows.pop(key, None)

    def _current(self, key: str) -> tuple[int, datetime]:
        count, ends = self._windows.get(key, (0, self._clock.now()))
        if ends <= self._clock.now():
            return 0, ends
        return count, ends

    def _sweep(self) -> None:
        now = self._clock.now()
        self._windows = {key: entry for key, entry in self._windows.items() if entry[1] > now}
