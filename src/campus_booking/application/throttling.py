"""Sign-in throttling: too many failures for one account, or from one client, wait a while.

Counts live in fixed windows that start at the first failure, so nobody is kept out for
longer than one window; refused attempts are not counted, so waiting always helps. A
successful sign-in clears the account's count (not the client's: one address may be a
whole campus network).
"""

from __future__ import annotations

import hashlib

from campus_booking.application.ports import FailureCounter
from campus_booking.domain.errors import TooManyAttempts


class LoginThrottle:
    def __init__(self, counter: FailureCounter, *, per_account: int, per_client: int) -> None:
        self._counter = counter
        self._limits = {"account": per_account, "client": per_client}

    async def check(self, *, account: str, client: str) -> None:
        """Raises `TooManyAttempts` while either the account or the client is over its limit."""
        waits = []
        for kind, key in self._keys(account, client).items():
            failures, seconds_left = await self._counter.failures(key)
            if failures >= self._limits[kind]:
                waits.append(seconds_left)
        if waits:
            raise TooManyAttempts(retry_after=max(1, *waits))

    async def failed(self, *, account: str, client: str) -> None:
        for key in self._keys(account, client).values():
            await self._counter.add_failure(key)

    async def succeeded(self, *, account: str) -> None:
        await self._counter.clear(_account_key(account))

    @staticmethod
    def _keys(account: str, client: str) -> dict[str, str]:
        return {"account": _account_key(account), "client": f"login:client:{client}"}


def _account_key(account: str) -> str:
    """Hashed, so the shared store never holds email addresses."""
    return "login:account:" + hashlib.sha256(account.encode()).hexdigest()
