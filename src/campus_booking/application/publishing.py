"""Publishing what a unit of work's aggregates recorded: on commit, in its transaction.

The SQL and the memory unit of work share this. Their repositories note each aggregate they
hand out or take in (cosmicpython's `seen`); on commit, before the database commits, the
events of those aggregates go to each handler in turn, so that what a handler writes (the
audit trail; later an outbox) commits or rolls back with the change. A rollback drops them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from campus_booking.application.audit import write_audit_trail
from campus_booking.application.ports import UnitOfWork
from campus_booking.domain.events import DomainEvent, RecordsEvents


class EventHandler(Protocol):
    async def __call__(self, uow: UnitOfWork, events: Sequence[DomainEvent]) -> None:
        """Writes what the events call for through `uow`, before it commits."""
        ...


# The trail is written by every unit of work that is given no handlers (tests, scripts): a
# change never commits without its entries. The container names its handlers itself.
DEFAULT_HANDLERS: tuple[EventHandler, ...] = (write_audit_trail,)

A = TypeVar("A", bound=RecordsEvents)


class EventPublisher:
    """One per unit of work: the aggregates it has seen, and the handlers of their events."""

    __slots__ = ("_handlers", "_seen")

    def __init__(self, handlers: Iterable[EventHandler] = DEFAULT_HANDLERS) -> None:
        self._handlers = tuple(handlers)
        self._seen: dict[int, RecordsEvents] = {}  # by identity: two copies of a row are two

    def seen(self, aggregate: A) -> A:
        self._seen[id(aggregate)] = aggregate
        return aggregate

    def seen_all(self, aggregates: list[A]) -> list[A]:
        for aggregate in aggregates:
            self._seen[id(aggregate)] = aggregate
        return aggregates

    async def publish(self, uow: UnitOfWork) -> None:
        """Hands the events recorded since the last commit to the handlers, in the order the
        aggregates were seen."""
        events = [event for aggregate in self._seen.values() for event in aggregate.events]
        self.drop()
        if events:
            for handler in self._handlers:
                await handler(uow, events)

    def drop(self) -> None:
        for aggregate in self._seen.values():
            aggregate.events.clear()
        self._seen.clear()
