"""The SQLAlchemy unit of work: one session, one transaction, per use-case call."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from campus_booking.adapters.database.engine import READ_ONLY
from campus_booking.adapters.database.repositories import (
    SqlBookingRepository,
    SqlRoomRepository,
    SqlUserRepository,
)


class SqlAlchemyUnitOfWork:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], *, read_only: bool = False
    ) -> None:
        self._session_factory = session_factory
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        self._session = self._session_factory()
        if self._read_only:
            # Procures the connection now, so the BEGIN it emits can see the option.
            await self._session.connection(execution_options={READ_ONLY: True})
        self.users = SqlUserRepository(self._session)
        self.rooms = SqlRoomRepository(self._session)
        self.bookings = SqlBookingRepository(self._session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            await self.rollback()
        finally:
            await self._session.close()

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("A read-only unit of work cannot commit.")
        await self._session.commit()

    async def rollback(self) -> None:
        await self._session.rollback()
