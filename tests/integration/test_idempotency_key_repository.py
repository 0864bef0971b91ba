"""Idempotency keys stored, on SQLite and PostgreSQL: a record round-trips whole, replaces the
key's old one and the user's expired ones, is purged once expired, and goes with a rolled-back
transaction; on PostgreSQL a held key is refused to a second transaction at once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from campus_booking.application.idempotency import Answer, KeyInUse, KeyRecord
from campus_booking.domain.users import Role, User
from tests.integration.conftest import UowFactory

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
DAY = timedelta(days=1)


def a_record(user: User, key: str, *, expires_at: datetime = NOW + DAY) -> KeyRecord:
    return KeyRecord(
        user.id, key, "f" * 64, Answer(201, b'{"id": "' + key.encode() + b'"}'), expires_at
    )


async def a_user(uow_factory: UowFactory, email: str = "keys@uni.edu") -> User:
    user = User(
        email=email, full_name="Kay", password_hash="hash", created_at=NOW, role=Role.STUDENT
    )
    async with uow_factory() as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def put(uow_factory: UowFactory, record: KeyRecord) -> None:
    async with uow_factory() as uow:
        await uow.idempotency_keys.put(record)
        await uow.commit()


async def held(uow_factory: UowFactory, user: User, key: str) -> KeyRecord | None:
    async with uow_factory() as uow:
        return await uow.idempotency_keys.hold(user.id, key)


async def test_a_record_round_trips_whole(uow_factory: UowFactory) -> None:
    user = await a_user(uow_factory)
    record = a_record(user, "retry-1")

    await put(uow_factory, record)

    assert await held(uow_factory, user, "retry-1") == record
    assert await held(uow_factory, user, "retry-2") is None


async def test_a_rolled_back_record_is_not_kept(uow_factory: UowFactory) -> None:
    user = await a_user(uow_factory)
    async with uow_factory() as uow:
        await uow.idempotency_keys.put(a_record(user, "retry-1"))  # no commit

    assert await held(uow_factory, user, "retry-1") is None


async def test_a_put_replaces_the_keys_expired_record_and_no_other(
    uow_factory: UowFactory,
) -> None:
    user = await a_user(uow_factory)
    someone = await a_user(uow_factory, "else@uni.edu")
    old = a_record(user, "retry-1", expires_at=NOW)
    other_key = a_record(user, "retry-2", expires_at=NOW)
    theirs = a_record(someone, "retry-1", expires_at=NOW)
    for record in (old, other_key, theirs):
        await put(uow_factory, record)
    again = KeyRecord(user.id, "retry-1", "e" * 64, Answer(200, b"{}"), NOW + DAY)

    await put(uow_factory, again)

    assert await held(uow_factory, user, "retry-1") == again
    assert await held(uow_factory, user, "retry-2") == other_key
    assert await held(uow_factory, someone, "retry-1") == theirs


async def test_purge_drops_every_expired_record_and_counts_them(uow_factory: UowFactory) -> None:
    user = await a_user(uow_factory)
    for key, expires_at in (("a", NOW), ("b", NOW + timedelta(hours=1)), ("c", NOW + DAY)):
        await put(uow_factory, a_record(user, key, expires_at=expires_at))

    async with uow_factory() as uow:
        dropped = await uow.idempotency_keys.purge(NOW + timedelta(hours=1))
        await uow.commit()

    assert dropped == 2
    assert [await held(uow_factory, user, k) is None for k in "abc"] == [True, True, False]


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
async def test_a_held_key_is_refused_to_another_transaction_at_once(
    uow_factory: UowFactory,
) -> None:
    user = await a_user(uow_factory)
    async with uow_factory() as first:
        await first.idempotency_keys.hold(user.id, "retry-1")

        with pytest.raises(KeyInUse):
            await asyncio.wait_for(held(uow_factory, user, "retry-1"), timeout=5)
        assert await held(uow_factory, user, "retry-2") is None  # another key: free

    assert await held(uow_factory, user, "retry-1") is None  # let go with the first
