"""Use-cases of accounts and sign-in."""

from __future__ import annotations

from dataclasses import dataclass

from campus_booking.application.ports import (
    AccessToken,
    AccountLookup,
    Clock,
    PasswordHasher,
    TokenService,
    UnitOfWorkFactory,
)
from campus_booking.application.throttling import LoginThrottle, RegistrationThrottle
from campus_booking.domain.errors import (
    AlreadyExists,
    AuthenticationFailed,
    InvalidValue,
    Unique,
)
from campus_booking.domain.users import (
    Role,
    User,
    check_password_rules,
    clean_full_name,
    normalise_email,
)


@dataclass(frozen=True, slots=True)
class RegisterUserCommand:
    email: str
    password: str
    full_name: str
    client: str
    """Where the sign-up comes from (an IP address): sign-ups are throttled per client."""


@dataclass(frozen=True, slots=True)
class AuthenticateCommand:
    email: str
    password: str
    client: str
    """Where the attempt comes from (an IP address): failures are throttled per client too."""


@dataclass(frozen=True, slots=True)
class CreateAdminCommand:
    email: str
    password: str
    full_name: str


class _AccountCreation:
    """Shared by self-registration and the admin bootstrap: they differ only in the role."""

    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow = uow
        self._hasher = hasher
        self._clock = clock

    async def _create(
        self, *, email: str, password: str, full_name: str, role: Role, self_service: bool
    ) -> User:
        check_password_rules(password)
        email = normalise_email(email)
        clean_full_name(full_name)
        # Looked up before hashing, so that a taken email costs no bcrypt: re-registering one
        # address in a loop starved sign-ins. The faster 409 tells that the account exists,
        # which the 409 itself tells anyway.
        async with self._uow(read_only=True) as uow:
            if await uow.users.get_by_email(email) is not None:
                raise _taken()
        password_hash = await self._hasher.hash(password)
        user = User.register(
            email=email,
            full_name=full_name,
            password_hash=password_hash,
            now=self._clock.now(),
            role=role,
            self_service=self_service,
        )
        async with self._uow() as uow:
            if await uow.users.get_by_email(user.email) is not None:  # taken meanwhile
                raise _taken()
            await uow.users.add(user)
            await uow.commit()
        return user


def _taken() -> AlreadyExists:
    return AlreadyExists(Unique.ACCOUNT_EMAIL)


class RegisterUser(_AccountCreation):
    """Self-service sign-up. Always a STUDENT: higher roles are granted by an admin.

    Throttled per client address; give it a hasher of its own budget (see hashing.py), so
    that sign-ups cannot crowd out sign-ins.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        throttle: RegistrationThrottle,
    ) -> None:
        super().__init__(uow, hasher, clock)
        self._throttle = throttle

    async def __call__(self, command: RegisterUserCommand) -> User:
        await self._throttle.reserve(client=command.client)
        return await self._create(
            email=command.email,
            password=command.password,
            full_name=command.full_name,
            role=Role.STUDENT,
            self_service=True,
        )


class CreateAdmin(_AccountCreation):
    """Bootstraps an administrator from the command line."""

    async def __call__(self, command: CreateAdminCommand) -> User:
        return await self._create(
            email=command.email,
            password=command.password,
            full_name=command.full_name,
            role=Role.ADMIN,
            self_service=False,
        )


class Authenticate:
    """Exchanges an email and password for an access token; repeated failures are throttled."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        tokens: TokenService,
        throttle: LoginThrottle,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._tokens = tokens
        self._throttle = throttle

    async def __call__(self, command: AuthenticateCommand) -> AccessToken:
        try:
            email = normalise_email(command.email)
        except InvalidValue:
            email = None
        account = email or command.email.casefold()
        # Counted before the password is looked at: see application/throttling.py.
        reservation = await self._throttle.reserve(account=account, client=command.client)
        try:
            user = await self._verified_user(email, command.password)
        except Exception:
            await self._throttle.abandoned(reservation)
            raise
        if user is None:
            raise AuthenticationFailed("Incorrect email or password.")  # the attempt stays counted
        await self._throttle.succeeded(reservation, account=account, client=command.client)
        return self._tokens.issue(user)

    async def _verified_user(self, email: str | None, password: str) -> User | None:
        user = None
        if email is not None:
            async with self._uow(read_only=True) as uow:
                user = await uow.users.get_by_email(email)
        # The hash check runs whether or not the account exists, so timing reveals nothing.
        password_matches = await self._hasher.verify(password, user.password_hash if user else None)
        if user is None or not password_matches or not user.is_active:
            return None
        return user


class GetCurrentUser:
    """Resolves a bearer token to a user loaded fresh from the store on every request."""

    def __init__(self, accounts: AccountLookup, tokens: TokenService) -> None:
        self._accounts = accounts
        self._tokens = tokens

    async def __call__(self, token: str) -> User:
        claims = self._tokens.verify(token)
        user = await self._accounts(claims.user_id)
        if user is None or not user.is_active or user.token_version != claims.token_version:
            raise AuthenticationFailed("The access token is no longer valid.")
        return user
