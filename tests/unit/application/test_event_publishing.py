"""The unit of work publishes its aggregates' events on commit, in its transaction, and drops
them on rollback (shown on the memory fake; the SQL one shares the logic)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from campus_booking.adapters.memory import MemoryStore, MemoryUnitOfWork
from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.audit import Action
from campus_booking.domain.events import DomainEvent, RoomChanged, RoomCreated, UserRoleChanged
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import Role, User

NOW = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)


class Recorder:
    """An event handler that keeps what it is handed."""

    def __init__(self) -> None:
        self.calls: list[list[DomainEvent]] = []

    async def __call__(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        self.calls.append(list(events))


class Refuses:
    async def __call__(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        raise RuntimeError("the outbox is full")


def a_user(store: MemoryStore) -> User:
    user = User(email="ana@uni.edu", full_name="Ana", password_hash="hash", created_at=NOW)
    store.users[user.id] = user
    return user


def a_room() -> Room:
    return Room.create(name="Oak", building="Main", capacity=4, now=NOW, by=None)


async def test_commit_hands_the_events_of_what_was_added_and_loaded_to_each_handler() -> None:
    store, first, second = MemoryStore(), Recorder(), Recorder()
    user = a_user(store)
    room = a_room()

    async with MemoryUnitOfWork(store, handlers=[first, second]) as uow:
        await uow.rooms.add(room)
        room.update(capacity=8, by=user.id, at=NOW)
        loaded = await uow.users.get(user.id)
        assert loaded is not None
        loaded.change_role(Role.STAFF, by=user.id, at=NOW)
        await uow.users.save(loaded)
        await uow.commit()

    assert [[type(event) for event in call] for call in first.calls] == [
        [RoomCreated, RoomChanged, UserRoleChanged]
    ]
    assert second.calls == first.calls
    assert (room.events, loaded.events) == ([], [])


async def test_each_commit_publishes_only_what_happened_since_the_last() -> None:
    store, recorder = MemoryStore(), Recorder()
    room = a_room()

    async with MemoryUnitOfWork(store, handlers=[recorder]) as uow:
        await uow.rooms.add(room)
        await uow.commit()
        await uow.commit()
        room.deactivate(by=room.id, at=NOW)
        await uow.rooms.save(room)
        await uow.commit()

    assert [len(call) for call in recorder.calls] == [1, 1]


async def test_a_rollback_drops_the_events_and_a_later_commit_does_not_publish_them() -> None:
    store, recorder = MemoryStore(), Recorder()
    room = a_room()

    async with MemoryUnitOfWork(store, handlers=[recorder]) as uow:
        await uow.rooms.add(room)
    async with MemoryUnitOfWork(store, handlers=[recorder]) as uow:
        await uow.commit()

    assert recorder.calls == []
    assert room.events == []
    assert store.rooms == {}


async def test_a_stored_aggregate_comes_back_without_the_events_it_was_saved_with() -> None:
    store, recorder = MemoryStore(), Recorder()
    room = a_room()
    async with MemoryUnitOfWork(store, handlers=[]) as uow:
        await uow.rooms.add(room)
        await uow.commit()

    async with MemoryUnitOfWork(store, handlers=[recorder]) as uow:
        loaded = await uow.rooms.get(room.id)
        assert loaded is not None
        await uow.commit()

    assert loaded.events == []
    assert recorder.calls == []


async def test_a_failing_handler_commits_nothing() -> None:
    store = MemoryStore()

    async with MemoryUnitOfWork(store, handlers=[Refuses()]) as uow:
        await uow.rooms.add(a_room())
        with pytest.raises(RuntimeError):
            await uow.commit()

    assert (store.rooms, store.audit) == ({}, [])


async def test_without_handlers_given_the_audit_trail_is_written_in_the_commit() -> None:
    store = MemoryStore()
    room = a_room()

    async with MemoryUnitOfWork(store) as uow:
        await uow.rooms.add(room)
        await uow.commit()

    assert [(entry.entity_id, entry.action) for entry in store.audit] == [(room.id, Action.CREATED)]
