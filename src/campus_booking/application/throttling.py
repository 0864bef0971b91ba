"""Throttling of attempts that cost a bcrypt check: sign-ins, password changes, sign-ups.

Every attempt is *reserved* before the password is checked: the count goes up first, and the
attempt goes ahead only if the count, with it, is within every limit. Checking first and
counting after let a burst of simultaneous attempts all pass the check before any of them was
counted (100 at once, none refused). A refused attempt is given back, so it does not count:
waiting always helps, and counts live in fixed windows that start at the first attempt, so
nobody is kept out for longer than one window. A success is given back too, and clears the
count of its account from its client.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from campus_booking.application.ports import FailureCounter
from campus_booking.domain.errors import TooManyAttempts


@dataclass(frozen=True, slots=True)
class Reservation:
    """The keys one attempt was counted under."""

    keys: tuple[str, ...]


class AttemptLimiter:
    """Counts attempts under several keys at once, each with its own limit."""

    def __init__(self, counter: FailureCounter) -> None:
        self._counter = counter

    async def reserve(self, limits: Mapping[str, int], refusal: str) -> Reservation:
        """Counts one attempt under each key in turn; raises `TooManyAttempts(refusal)` at the
        first key over its limit with it, after giving the attempt back under the keys counted.

        Stopping there keeps a refused attempt off the later keys: in a burst on one account,
        the attempts its own limit refuses would otherwise fill the client's count for a
        moment and refuse, in turn, attempts the account's limit had let through.
        """
        reserved: list[str] = []
        try:
            for key, limit in limits.items():
                count, seconds_left = await self._counter.reserve(key)
                reserved.append(key)
                if count > limit:
                    break
            else:
                return Reservation(tuple(reserved))
        except BaseException:
            await self.release(Reservation(tuple(reserved)))
            raise
        await self.release(Reservation(tuple(reserved)))
        raise TooManyAttempts(retry_after=max(1, seconds_left), message=refusal)

    async def release(self, reservation: Reservation) -> None:
        for key in reservation.keys:
            await self._counter.release(key)

    async def clear(self, key: str) -> None:
        await self._counter.clear(key)


class LoginThrottle:
    """Failed sign-ins per account *from one client*, per account, and per client address.

    The low limit is per account and client: five wrong passwords from an attacker's address
    lock the account for that address only, not for its owner signing in from their own (an
    account-wide low limit let anyone lock anyone out, admins included). An account-wide
    limit, much higher, still stops a guesser spread over many addresses, and the per-client
    limit stops one address guessing across many accounts.
    """

    REFUSAL = "Too many failed sign-in attempts; try again later."

    def __init__(
        self,
        counter: FailureCounter,
        *,
        per_account_and_client: int,
        per_account: int,
        per_client: int,
    ) -> None:
        self._limiter = AttemptLimiter(counter)
        self._per_pair = per_account_and_client
        self._per_account = per_account
        self._per_client = per_client

    async def reserve(self, *, account: str, client: str) -> Reservation:
        """Call before checking the password; an attempt that then fails stays counted."""
        limits = {
            pair_key(account, client): self._per_pair,
            account_key(account): self._per_account,
            client_key(client): self._per_client,
        }
        return await self._limiter.reserve(limits, self.REFUSAL)

    async def succeeded(self, reservation: Reservation, *, account: str, client: str) -> None:
        """Gives the attempt back and forgets the failures of this account from this client.

        The account-wide count is left alone: failures from elsewhere are someone else's.
        """
        await self._limiter.release(reservation)
        await self._limiter.clear(pair_key(account, client))

    async def abandoned(self, reservation: Reservation) -> None:
        """The attempt ended without a verdict on the password (the database failed, say)."""
        await self._limiter.release(reservation)


class RegistrationThrottle:
    """Sign-ups per client address: every attempt counts, whatever its outcome.

    Each sign-up may cost a bcrypt hash, and each success an account: one address looping on
    `POST /auth/register` must not be able to spend either without bound.
    """

    REFUSAL = "Too many sign-ups from this address; try again later."

    def __init__(self, counter: FailureCounter, *, per_client: int) -> None:
        self._limiter = AttemptLimiter(counter)
        self._per_client = per_client

    async def reserve(self, *, client: str) -> None:
        await self._limiter.reserve({f"register:client:{client}": self._per_client}, self.REFUSAL)


def account_key(account: str) -> str:
    """Hashed, so the shared store never holds email addresses."""
    return "login:account:" + _digest(account)


def pair_key(account: str, client: str) -> str:
    return "login:pair:" + _digest(f"{account}\n{client}")


def client_key(client: str) -> str:
    return f"login:client:{client}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
