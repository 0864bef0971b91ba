"""Sign-up, admin bootstrap, sign-in and token resolution, on the in-memory adapters."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryAccountLookup, MemoryStore
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.auth import (
    Authenticate,
    AuthenticateCommand,
    CreateAdmin,
    CreateAdminCommand,
    GetCurrentUser,
    RegisterUser,
    RegisterUserCommand,
)
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.throttling import LoginThrottle, RegistrationThrottle
from campus_booking.domain.errors import (
    AuthenticationFailed,
    Conflict,
    InvalidValue,
    TooManyAttempts,
)
from campus_booking.domain.users import Role, User
from tests.unit.application.fakes import FakeHasher
from tests.unit.builders import CLIENT, NOW, PASSWORD

EMAIL = "ana@uni.edu"
SIGN_IN_REFUSED = "Incorrect email or password."
TOKEN_REFUSED = "The access token is no longer valid."
WINDOW_SECONDS = 300
PER_ACCOUNT_AND_CLIENT = 3
PER_ACCOUNT = 8
PER_CLIENT = 5
ATTACKER = "203.0.113.66"
SIGN_UPS_PER_CLIENT = 4


@pytest.fixture
def sign_up_throttle(clock: FixedClock) -> RegistrationThrottle:
    counter = MemoryFailureCounter(window_seconds=WINDOW_SECONDS, clock=clock)
    return RegistrationThrottle(counter, per_client=SIGN_UPS_PER_CLIENT)


@pytest.fixture
def register(
    uow: UnitOfWorkFactory,
    hasher: FakeHasher,
    clock: FixedClock,
    sign_up_throttle: RegistrationThrottle,
) -> RegisterUser:
    return RegisterUser(uow, hasher, clock, sign_up_throttle)


@pytest.fixture
def throttle(clock: FixedClock) -> LoginThrottle:
    counter = MemoryFailureCounter(window_seconds=WINDOW_SECONDS, clock=clock)
    return LoginThrottle(
        counter,
        per_account_and_client=PER_ACCOUNT_AND_CLIENT,
        per_account=PER_ACCOUNT,
        per_client=PER_CLIENT,
    )


@pytest.fixture
def authenticate(
    uow: UnitOfWorkFactory, hasher: FakeHasher, tokens: JwtTokenService, throttle: LoginThrottle
) -> Authenticate:
    return Authenticate(uow, hasher, tokens, throttle)


@pytest.fixture
def current_user(store: MemoryStore, tokens: JwtTokenService) -> GetCurrentUser:
    return GetCurrentUser(MemoryAccountLookup(store), tokens)


@pytest.fixture
async def ana(register: RegisterUser) -> User:
    return await register(
        RegisterUserCommand(email=EMAIL, password=PASSWORD, full_name="Ana", client=CLIENT)
    )


async def sign_in(
    authenticate: Authenticate,
    email: str = EMAIL,
    password: str = PASSWORD,
    client: str = CLIENT,
) -> str:
    command = AuthenticateCommand(email=email, password=password, client=client)
    return (await authenticate(command)).token


# --- Registration -------------------------------------------------------------------------


async def test_register_creates_a_student_with_a_normalised_email_and_a_hashed_password(
    register: RegisterUser, store: MemoryStore
) -> None:
    command = RegisterUserCommand(
        email="  Ana@UNI.edu ", password=PASSWORD, full_name=" Ana  Lima ", client=CLIENT
    )

    user = await register(command)

    stored = store.users[user.id]
    assert (stored.email, stored.full_name, stored.role) == (EMAIL, "Ana Lima", Role.STUDENT)
    assert stored.password_hash == "hashed:" + PASSWORD
    assert stored.password_hash != PASSWORD
    assert (stored.is_active, stored.token_version, stored.created_at) == (True, 0, NOW)
    assert store.commits == 1


async def test_a_duplicate_email_in_another_letter_case_is_a_conflict(
    register: RegisterUser, store: MemoryStore, ana: User
) -> None:
    command = RegisterUserCommand(
        email="ANA@Uni.Edu", password="another password", full_name="B", client=CLIENT
    )

    with pytest.raises(Conflict) as error:
        await register(command)

    assert error.value.message == "An account with this email already exists."
    assert store.commits == 1
    assert list(store.users) == [ana.id]
    assert store.users[ana.id].password_hash == "hashed:" + PASSWORD


async def test_re_registering_a_taken_email_costs_no_hash(
    register: RegisterUser, hasher: FakeHasher, ana: User
) -> None:
    """The attack: 48 clients re-registering one email in a loop each cost a bcrypt hash, and
    a sign-in beside them went from 0.32 s to 8.3 s. The 409 comes before any hash (it answers
    faster, telling that the account exists, as the 409 itself does)."""
    hashes = len(hasher.hashed)

    with pytest.raises(Conflict):
        await register(
            RegisterUserCommand(
                email=EMAIL, password="another password", full_name="B", client=CLIENT
            )
        )

    assert len(hasher.hashed) == hashes


async def test_sign_ups_from_one_address_are_throttled_but_others_are_not(
    register: RegisterUser, hasher: FakeHasher
) -> None:
    """The attack: `POST /auth/register` was not throttled at all."""

    def sign_up(n: int, client: str = CLIENT) -> RegisterUserCommand:
        return RegisterUserCommand(
            email=f"user{n}@uni.edu", password=PASSWORD, full_name="U", client=client
        )

    for n in range(SIGN_UPS_PER_CLIENT):
        await register(sign_up(n))

    with pytest.raises(TooManyAttempts) as refused:
        await register(sign_up(99))
    assert refused.value.message == "Too many sign-ups from this address; try again later."
    assert len(hasher.hashed) == SIGN_UPS_PER_CLIENT
    assert await register(sign_up(99, client=ATTACKER))


@pytest.mark.parametrize("password", ["short", "seven77", "x" * 73, "é" * 37])
async def test_a_password_breaking_the_rules_is_refused_and_nothing_is_written(
    register: RegisterUser, store: MemoryStore, password: str
) -> None:
    with pytest.raises(InvalidValue) as error:
        await register(
            RegisterUserCommand(email=EMAIL, password=password, full_name="Ana", client=CLIENT)
        )

    assert error.value.field == "password"
    assert (store.commits, store.users) == (0, {})


async def test_create_admin_makes_an_admin(
    uow: UnitOfWorkFactory, hasher: FakeHasher, clock: FixedClock, store: MemoryStore
) -> None:
    command = CreateAdminCommand(email="Root@Uni.edu", password=PASSWORD, full_name="Root")

    admin = await CreateAdmin(uow, hasher, clock)(command)

    assert (store.users[admin.id].role, store.users[admin.id].email) == (Role.ADMIN, "root@uni.edu")


# --- Sign-in ------------------------------------------------------------------------------


async def test_a_signed_in_token_resolves_to_the_user(
    authenticate: Authenticate, current_user: GetCurrentUser, ana: User
) -> None:
    access = await authenticate(
        AuthenticateCommand(email=" ANA@uni.edu", password=PASSWORD, client=CLIENT)
    )

    assert access.expires_in == 900
    user = await current_user(access.token)
    assert (user.id, user.email, user.role) == (ana.id, EMAIL, Role.STUDENT)


@pytest.mark.parametrize(
    ("email", "password", "deactivated"),
    [
        pytest.param("nobody@uni.edu", PASSWORD, False, id="unknown email"),
        pytest.param(EMAIL, "wrong password", False, id="wrong password"),
        pytest.param(EMAIL, PASSWORD, True, id="deactivated user"),
        pytest.param("not an email", PASSWORD, False, id="malformed email"),
        pytest.param(EMAIL, PASSWORD + "é" * 40, False, id="over-long password"),
        pytest.param("nobody@uni.edu", PASSWORD + "é" * 40, False, id="over-long, unknown"),
    ],
)
async def test_every_failed_sign_in_looks_the_same(
    authenticate: Authenticate,
    hasher: FakeHasher,
    store: MemoryStore,
    ana: User,
    email: str,
    password: str,
    deactivated: bool,
) -> None:
    if deactivated:
        store.users[ana.id].deactivate(by=ana.id, at=NOW)

    with pytest.raises(AuthenticationFailed) as error:
        await sign_in(authenticate, email, password)

    assert error.value.message == SIGN_IN_REFUSED
    assert len(hasher.verified) == 1  # one hash check, whatever the cause


async def test_a_throttled_sign_in_runs_no_hash_check(
    authenticate: Authenticate, hasher: FakeHasher, ana: User
) -> None:
    """Throttled refusals skip bcrypt on purpose: they answer 429, never 401, so their speed
    reveals nothing a 401 would, and they must stay cheap under a flood."""
    await fail_sign_in(authenticate, times=PER_ACCOUNT_AND_CLIENT)
    checks = len(hasher.verified)

    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate)

    assert len(hasher.verified) == checks


@pytest.mark.parametrize("email", ["nobody@uni.edu", "not an email"])
async def test_a_sign_in_without_an_account_still_runs_a_hash_check(
    authenticate: Authenticate, hasher: FakeHasher, email: str
) -> None:
    with pytest.raises(AuthenticationFailed):
        await sign_in(authenticate, email)

    assert hasher.verified == [(PASSWORD, None)]


# --- Resolving a token --------------------------------------------------------------------


async def test_a_token_is_refused_after_a_role_change(
    authenticate: Authenticate, current_user: GetCurrentUser, store: MemoryStore, ana: User
) -> None:
    token = await sign_in(authenticate)
    assert (await current_user(token)).id == ana.id

    store.users[ana.id].change_role(Role.STAFF, by=ana.id, at=NOW)

    with pytest.raises(AuthenticationFailed) as error:
        await current_user(token)
    assert error.value.message == TOKEN_REFUSED


async def test_a_token_is_refused_after_deactivation(
    authenticate: Authenticate, current_user: GetCurrentUser, store: MemoryStore, ana: User
) -> None:
    token = await sign_in(authenticate)
    assert (await current_user(token)).id == ana.id

    store.users[ana.id].deactivate(by=ana.id, at=NOW)

    with pytest.raises(AuthenticationFailed) as error:
        await current_user(token)
    assert error.value.message == TOKEN_REFUSED


async def test_a_token_of_an_inactive_user_is_refused_even_at_the_current_version(
    authenticate: Authenticate, current_user: GetCurrentUser, store: MemoryStore, ana: User
) -> None:
    token = await sign_in(authenticate)
    store.users[ana.id].is_active = False  # no version bump: is_active is checked on its own

    with pytest.raises(AuthenticationFailed) as error:
        await current_user(token)
    assert error.value.message == TOKEN_REFUSED


async def test_a_token_of_a_deleted_user_is_refused(
    authenticate: Authenticate, current_user: GetCurrentUser, store: MemoryStore, ana: User
) -> None:
    token = await sign_in(authenticate)
    del store.users[ana.id]

    with pytest.raises(AuthenticationFailed) as error:
        await current_user(token)
    assert error.value.message == TOKEN_REFUSED


async def test_a_forged_token_is_refused(current_user: GetCurrentUser) -> None:
    with pytest.raises(AuthenticationFailed) as error:
        await current_user("not-a-token")
    assert error.value.message == "The access token is invalid or expired."


# --- The in-memory unit of work -----------------------------------------------------------


async def test_a_use_case_that_raises_half_way_leaves_the_store_unchanged(
    uow: UnitOfWorkFactory, store: MemoryStore, ana: User
) -> None:
    newcomer = User(email="bo@uni.edu", full_name="Bo", password_hash="h", created_at=NOW)

    async def promote_then_fail() -> None:
        async with uow() as unit:
            user = await unit.users.get(ana.id)
            assert user is not None
            user.change_role(Role.ADMIN, by=ana.id, at=NOW)
            await unit.users.save(user)
            await unit.users.add(newcomer)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await promote_then_fail()

    assert list(store.users) == [ana.id]
    assert (store.users[ana.id].role, store.users[ana.id].token_version) == (Role.STUDENT, 0)
    assert store.commits == 1


# --- Throttling ---------------------------------------------------------------------------


async def fail_sign_in(
    authenticate: Authenticate, email: str = EMAIL, client: str = CLIENT, times: int = 1
) -> None:
    for _ in range(times):
        with pytest.raises(AuthenticationFailed):
            await sign_in(authenticate, email, "wrong password", client)


async def test_an_account_is_throttled_after_its_failures_with_the_window_left(
    authenticate: Authenticate, ana: User, clock: FixedClock
) -> None:
    await fail_sign_in(authenticate, times=PER_ACCOUNT_AND_CLIENT - 1)
    clock.advance(timedelta(seconds=100))
    await fail_sign_in(authenticate)

    with pytest.raises(TooManyAttempts) as refused:
        await sign_in(authenticate)  # even the right password waits

    assert refused.value.retry_after == WINDOW_SECONDS - 100


async def test_the_window_ends_and_the_right_password_works_again(
    authenticate: Authenticate, ana: User, clock: FixedClock
) -> None:
    await fail_sign_in(authenticate, times=PER_ACCOUNT_AND_CLIENT)
    clock.advance(timedelta(seconds=WINDOW_SECONDS - 1))
    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate)
    clock.advance(timedelta(seconds=1))

    assert await sign_in(authenticate)


async def test_refused_attempts_do_not_extend_the_lockout(
    authenticate: Authenticate, ana: User, clock: FixedClock
) -> None:
    await fail_sign_in(authenticate, times=PER_ACCOUNT_AND_CLIENT)
    for _ in range(10):
        clock.advance(timedelta(seconds=WINDOW_SECONDS // 10 - 1))
        with pytest.raises(TooManyAttempts):
            await sign_in(authenticate, password="wrong password")
    clock.advance(timedelta(seconds=10))

    assert await sign_in(authenticate)


async def test_a_success_resets_the_accounts_count(authenticate: Authenticate, ana: User) -> None:
    await fail_sign_in(authenticate, times=PER_ACCOUNT_AND_CLIENT - 1)
    await sign_in(authenticate)

    await fail_sign_in(authenticate, times=PER_ACCOUNT_AND_CLIENT - 1)
    assert await sign_in(authenticate)


async def test_the_account_count_ignores_the_emails_letter_case(
    authenticate: Authenticate, ana: User
) -> None:
    for email in ("ana@uni.edu", "ANA@uni.edu", " Ana@Uni.Edu"):
        await fail_sign_in(authenticate, email=email)

    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate)


async def test_wrong_passwords_from_an_attackers_address_do_not_lock_the_owner_out(
    authenticate: Authenticate, ana: User
) -> None:
    """The attack: five wrong passwords from anywhere locked any account, admins included."""
    await fail_sign_in(authenticate, client=ATTACKER, times=PER_ACCOUNT_AND_CLIENT)
    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate, password="another guess", client=ATTACKER)

    assert await sign_in(authenticate, client=CLIENT)


async def test_an_account_is_throttled_everywhere_past_its_account_wide_limit(
    authenticate: Authenticate, ana: User
) -> None:
    """A guesser spread over many addresses, each under the per-address limits, still stops."""
    for n in range(PER_ACCOUNT):
        await fail_sign_in(authenticate, client=f"198.51.100.{n}")

    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate, client=CLIENT)


async def test_a_success_forgets_only_its_own_clients_failures(
    authenticate: Authenticate, ana: User
) -> None:
    await fail_sign_in(authenticate, client=ATTACKER, times=PER_ACCOUNT_AND_CLIENT)
    await sign_in(authenticate, client=CLIENT)

    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate, client=ATTACKER)


async def test_a_client_is_throttled_across_accounts_but_others_are_not(
    authenticate: Authenticate, ana: User, register: RegisterUser
) -> None:
    await register(
        RegisterUserCommand(email="ben@uni.edu", password=PASSWORD, full_name="Ben", client=CLIENT)
    )
    for n in range(PER_CLIENT):
        await fail_sign_in(authenticate, email=f"guess{n}@uni.edu")

    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate, email="ben@uni.edu")
    assert await sign_in(authenticate, email="ben@uni.edu", client="198.51.100.7")


async def test_unknown_accounts_are_throttled_like_known_ones(authenticate: Authenticate) -> None:
    await fail_sign_in(authenticate, email="nobody@uni.edu", times=PER_ACCOUNT_AND_CLIENT)

    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate, email="nobody@uni.edu")


# --- Throttling attempts sent all at once -------------------------------------------------


async def attempt(authenticate: Authenticate, password: str) -> str | BaseException:
    try:
        return await sign_in(authenticate, password=password)
    except (AuthenticationFailed, TooManyAttempts) as error:
        return error


async def test_100_simultaneous_wrong_passwords_get_at_most_the_limit_checked(
    authenticate: Authenticate, hasher: FakeHasher, ana: User
) -> None:
    """The attack: checked before, counted after, every attempt of a burst passed the check."""
    results = await asyncio.gather(*(attempt(authenticate, "wrong password") for _ in range(100)))

    assert len(hasher.verified) == PER_ACCOUNT_AND_CLIENT
    refused = [r for r in results if isinstance(r, TooManyAttempts)]
    assert len(refused) == 100 - PER_ACCOUNT_AND_CLIENT
    assert sum(isinstance(r, AuthenticationFailed) for r in results) == PER_ACCOUNT_AND_CLIENT


async def test_a_right_password_late_in_a_burst_is_refused_and_clears_nothing(
    authenticate: Authenticate, hasher: FakeHasher, ana: User
) -> None:
    """The attack: the 30th of 40 simultaneous guesses was right, signed in and reset the count."""
    guesses = ["wrong password"] * 40
    guesses[29] = PASSWORD

    results = await asyncio.gather(*(attempt(authenticate, guess) for guess in guesses))

    assert isinstance(results[29], TooManyAttempts)
    assert len(hasher.verified) == PER_ACCOUNT_AND_CLIENT
    with pytest.raises(TooManyAttempts):
        await sign_in(authenticate)  # the count still stands


async def test_an_attempt_that_fails_for_another_reason_is_given_back(
    uow: UnitOfWorkFactory, tokens: JwtTokenService, throttle: LoginThrottle, ana: User
) -> None:
    class BrokenHasher(FakeHasher):
        async def verify(self, password: str, password_hash: str | None) -> bool:
            raise RuntimeError("no verdict")

    broken = Authenticate(uow, BrokenHasher(), tokens, throttle)
    for _ in range(PER_ACCOUNT_AND_CLIENT + 1):
        with pytest.raises(RuntimeError):
            await sign_in(broken)

    working = Authenticate(uow, FakeHasher(), tokens, throttle)
    assert await sign_in(working)
