"""SignOutEverywhere and ChangePassword on the in-memory adapters."""

from __future__ import annotations

import pytest

from campus_booking.adapters.clock import FixedClock
from campus_booking.adapters.memory import MemoryStore
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.application.ports import UnitOfWorkFactory
from campus_booking.application.sessions import (
    ChangePassword,
    ChangePasswordCommand,
    SignOutEverywhere,
)
from campus_booking.application.throttling import LoginThrottle
from campus_booking.domain.audit import Action
from campus_booking.domain.errors import InvalidValue, TooManyAttempts
from campus_booking.domain.users import User
from tests.unit.application.fakes import FakeHasher
from tests.unit.builders import CLIENT, NOW, PASSWORD

LIMIT = 3


@pytest.fixture
def ana(store: MemoryStore) -> User:
    user = User(
        email="ana@uni.edu", full_name="Ana", password_hash="hashed:" + PASSWORD, created_at=NOW
    )
    store.users[user.id] = user
    return user


@pytest.fixture
def change(
    uow: UnitOfWorkFactory, clock: FixedClock, hasher: FakeHasher, tokens: JwtTokenService
) -> ChangePassword:
    counter = MemoryFailureCounter(window_seconds=300, clock=clock)
    throttle = LoginThrottle(counter, per_account_and_client=LIMIT, per_account=100, per_client=50)
    return ChangePassword(uow, hasher, tokens, throttle, clock)


def command(current: str = PASSWORD, new: str = "a new passphrase") -> ChangePasswordCommand:
    return ChangePasswordCommand(current_password=current, new_password=new, client=CLIENT)


async def test_sign_out_everywhere_bumps_the_token_version_and_is_audited(
    uow: UnitOfWorkFactory, store: MemoryStore, clock: FixedClock, ana: User
) -> None:
    await SignOutEverywhere(uow, clock)(ana)

    assert store.users[ana.id].token_version == 1
    [entry] = store.audit
    assert (entry.action, entry.actor_id, entry.entity_id) == (Action.SIGNED_OUT, ana.id, ana.id)
    assert (entry.before, entry.after) == (None, None)


async def test_a_password_change_sets_the_hash_revokes_tokens_and_audits_no_hash(
    change: ChangePassword, store: MemoryStore, ana: User
) -> None:
    token = await change(ana, command())

    stored = store.users[ana.id]
    assert (stored.password_hash, stored.token_version) == ("hashed:a new passphrase", 1)
    assert token.token
    [entry] = store.audit
    assert entry.action is Action.PASSWORD_CHANGED
    assert "hashed:" not in repr(entry)


async def test_wrong_current_passwords_count_as_failed_sign_ins(
    change: ChangePassword, hasher: FakeHasher, store: MemoryStore, ana: User
) -> None:
    for _ in range(LIMIT):
        with pytest.raises(InvalidValue) as wrong:
            await change(ana, command(current="not it at all"))
        assert wrong.value.field == "current_password"

    with pytest.raises(TooManyAttempts):
        await change(ana, command())
    assert len(hasher.verified) == LIMIT
    assert store.users[ana.id].token_version == 0


async def test_a_new_password_breaking_the_rules_costs_no_check(
    change: ChangePassword, hasher: FakeHasher, ana: User
) -> None:
    with pytest.raises(InvalidValue) as broken:
        await change(ana, command(new="x" * 73))

    assert broken.value.field == "new_password"
    assert hasher.verified == []
