"""The in-memory unit of work commits all its changes at once, or none of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.domain.errors import AlreadyExists, Unique
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def a_user(email: str = "ana@uni.example") -> User:
    return User.register(
        email=email, full_name="Ana Lima", password_hash="$2b$04$x", now=NOW, self_service=True
    )


def a_room(name: str = "Lab One") -> Room:
    return Room.create(name=name, building="Main", capacity=10, now=NOW, by=None)


async def test_a_commit_publishes_every_change_and_counts_once() -> None:
    store = MemoryStore()
    user, room = a_user(), a_room()

    async with MemoryUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.rooms.add(room)
        await uow.commit()

    assert list(store.users) == [user.id]
    assert list(store.rooms) == [room.id]
    assert store.commits == 1


async def test_a_unit_of_work_that_raises_half_way_leaves_the_store_as_it_was() -> None:
    kept = a_user()
    store = MemoryStore(users={kept.id: kept})

    async def add_a_room_then_a_taken_email() -> None:
        async with MemoryUnitOfWork(store) as uow:
            await uow.rooms.add(a_room())
            await uow.users.add(a_user(kept.email))
            await uow.commit()

    with pytest.raises(AlreadyExists) as error:
        await add_a_room_then_a_taken_email()

    assert error.value.duplicated is Unique.ACCOUNT_EMAIL
    assert (list(store.users), store.rooms, store.commits) == ([kept.id], {}, 0)


async def test_changes_after_the_last_commit_are_rolled_back() -> None:
    store = MemoryStore()
    committed, uncommitted = a_room("Lab One"), a_room("Lab Two")

    async with MemoryUnitOfWork(store) as uow:
        await uow.rooms.add(committed)
        await uow.commit()
        await uow.rooms.add(uncommitted)

    assert list(store.rooms) == [committed.id]
    assert store.commits == 1


async def test_an_entity_changes_in_the_store_only_when_saved() -> None:
    room = a_room()
    store = MemoryStore(rooms={room.id: room})

    async with MemoryUnitOfWork(store) as uow:
        loaded = await uow.rooms.get(room.id)
        assert loaded is not None
        loaded.capacity = 99
        await uow.commit()

    assert store.rooms[room.id].capacity == 10


async def test_a_read_only_unit_of_work_cannot_commit() -> None:
    async with MemoryUnitOfWork(MemoryStore(), read_only=True) as uow:
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()
