"""Use-cases of a signed-in user's own sessions: signing out everywhere, changing the password.

Both bump the user's token version, so that every token issued before stops working at once
(tokens carry the version they were issued at; see `GetCurrentUser`).
"""

from __future__ import annotations

from dataclasses import dataclass

from campus_booking.application.actors import lock_actor
from campus_booking.application.ports import (
    AccessToken,
    Clock,
    PasswordHasher,
    TokenService,
    UnitOfWorkFactory,
)
from campus_booking.application.throttling import LoginThrottle
from campus_booking.domain.errors import Conflict, InvalidValue
from campus_booking.domain.users import User, check_password_rules


@dataclass(frozen=True, slots=True)
class ChangePasswordCommand:
    current_password: str
    new_password: str
    client: str
    """Where the request comes from: wrong current passwords are throttled like sign-ins."""


class SignOutEverywhere:
    """Ends every session of the caller, the one making this request included."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self, actor: User) -> None:
        async with self._uow() as uow:
            user = await lock_actor(uow, actor)
            user.sign_out_everywhere(by=user.id, at=self._clock.now())
            await uow.users.save(user)
            await uow.commit()


class ChangePassword:
    """Checks the current password, sets the new one and ends every other session.

    Returns a fresh token for the caller: the change ends the session it was made in too, and
    signing in again would cost a second bcrypt check for nothing. A wrong current password
    counts as a failed sign-in of the account from the client, so a stolen token cannot be
    used to guess the password faster than the sign-in form allows.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        tokens: TokenService,
        throttle: LoginThrottle,
        clock: Clock,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle
        self._clock = clock

    async def __call__(self, actor: User, command: ChangePasswordCommand) -> AccessToken:
        try:
            check_password_rules(command.new_password)
        except InvalidValue as broken:
            raise InvalidValue("new_password", broken.reason) from None
        reservation = await self._throttle.reserve(account=actor.email, client=command.client)
        try:
            matches = await self._hasher.verify(command.current_password, actor.password_hash)
        except Exception:
            await self._throttle.abandoned(reservation)
            raise
        if not matches:  # the attempt stays counted
            raise InvalidValue("current_password", "is not the current password")
        await self._throttle.succeeded(reservation, account=actor.email, client=command.client)
        new_hash = await self._hasher.hash(command.new_password)
        async with self._uow() as uow:
            user = await lock_actor(uow, actor)
            if user.password_hash != actor.password_hash:
                raise Conflict("The password was changed meanwhile; sign in again.")
            user.change_password(new_hash, by=user.id, at=self._clock.now())
            await uow.users.save(user)
            await uow.commit()
        return self._tokens.issue(user)
