"""The SQLAlchemy unit of work: one connection per use-case call, and a transaction if it writes.

Repositories speak SQLAlchemy Core on the connection directly: rows are mapped to domain
objects by hand, so an ORM session would only add work to every statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import Self, cast

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from campus_booking.adapters.database.direct_reads import DirectConnection, DirectReader
from campus_booking.adapters.database.reachability import is_unreachable, unavailable
from campus_booking.adapters.database.repositories import (
    SqlAuditRepository,
    SqlBookingPolicyRepository,
    SqlBookingRepository,
    SqlBookingSeriesRepository,
    SqlCalendarFeedRepository,
    SqlClosureRepository,
    SqlIdempotencyKeyRepository,
    SqlOpeningHoursRepository,
    SqlRoomRepository,
    SqlUserRepository,
)
from campus_booking.application.publishing import DEFAULT_HANDLERS, EventHandler, EventPublisher


class SqlAlchemyUnitOfWork:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        read_only: bool = False,
        handlers: Iterable[EventHandler] = DEFAULT_HANDLERS,
    ) -> None:
        self._engine = engine
        self._read_only = read_only
        self._events = EventPublisher(handlers)

    async def __aenter__(self) -> Self:
        if self._read_only:
            # A reader's statements each run on their own, straight on the driver: its
            # repositories only read, through `execute` and `scalar` (direct_reads.py).
            connection = cast(AsyncConnection, DirectConnection(DirectReader.of(self._engine)))
        else:
            connection = await self._begin()
        self._connection: AsyncConnection = connection
        self.users = SqlUserRepository(connection, self._events)
        self.rooms = SqlRoomRepository(connection, self._events)
        self.bookings = SqlBookingRepository(connection, self._events)
        self.opening_hours = SqlOpeningHoursRepository(connection, self._events)
        self.closures = SqlClosureRepository(connection, self._events)
        self.policies = SqlBookingPolicyRepository(connection, self._events)
        self.audit = SqlAuditRepository(connection)
        self.series = SqlBookingSeriesRepository(connection, self._events)
        self.feeds = SqlCalendarFeedRepository(connection)
        self.idempotency_keys = SqlIdempotencyKeyRepository(connection)
        return self

    async def _begin(self) -> AsyncConnection:
        try:
            connection = await self._engine.connect()
        except (DBAPIError, OSError, PoolTimeout) as error:  # whatever the cause, no connection
            raise unavailable() from error
        try:
            await connection.begin()
        except Exception as error:
            await connection.close()
            if is_unreachable(error):
                raise unavailable() from error
            raise
        return connection

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._read_only:
            self._events.drop()
            return  # a direct reader holds no connection between its statements
        try:
            try:
                await self.rollback()
            finally:  # closing undoes what was not committed
                await self._connection.close()
        except Exception as error:
            if is_unreachable(error):
                raise unavailable() from error
            raise
        if exc is not None and is_unreachable(exc):
            raise unavailable() from exc

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("A read-only unit of work cannot commit.")
        await self._events.publish(self)  # in the transaction, so it commits with the change
        await self._connection.commit()

    async def rollback(self) -> None:
        self._events.drop()
        if self._connection.in_transaction():
            await self._connection.rollback()
