"""Booking policies: one row each, its limits in columns of their own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.integrity import refusing_duplicates
from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.tables import booking_policies
from campus_booking.application.publishing import EventPublisher
from campus_booking.application.queries import Page, PageRequest
from campus_booking.domain.booking_policies import BookingPolicy, PolicyLimits
from campus_booking.domain.errors import Conflict, Unique

POLICY_BY_ID = select(booking_policies).where(booking_policies.c.id == bindparam("policy_id"))
POLICY_BY_ID_LOCKED = POLICY_BY_ID.with_for_update(key_share=True)
POLICIES_BY_ID = select(booking_policies).where(
    booking_policies.c.id.in_(bindparam("policy_ids", expanding=True))
)
LISTING = Listing.of(
    select(booking_policies).order_by(booking_policies.c.name, booking_policies.c.id)
)
LIMIT_COLUMNS = tuple(PolicyLimits.__dataclass_fields__)


class SqlBookingPolicyRepository:
    def __init__(self, connection: AsyncConnection, events: EventPublisher) -> None:
        self._connection = connection
        self._events = events

    async def add(self, policy: BookingPolicy) -> None:
        self._events.seen(policy)
        with refusing_duplicates(Unique.POLICY_NAME):
            await self._connection.execute(insert(booking_policies), _policy_row(policy))

    async def get(self, policy_id: UUID, *, lock: bool = False) -> BookingPolicy | None:
        query = POLICY_BY_ID_LOCKED if lock else POLICY_BY_ID
        row = (await self._connection.execute(query, {"policy_id": policy_id})).first()
        return self._events.seen(_policy_from(row)) if row else None

    async def get_many(self, policy_ids: Iterable[UUID]) -> list[BookingPolicy]:
        ids = sorted(set(policy_ids))
        if not ids:
            return []
        result = await self._connection.execute(POLICIES_BY_ID, {"policy_ids": ids})
        return self._events.seen_all([_policy_from(row) for row in result])

    async def save(self, policy: BookingPolicy) -> None:
        self._events.seen(policy)
        with refusing_duplicates(Unique.POLICY_NAME):
            await self._connection.execute(
                update(booking_policies)
                .where(booking_policies.c.id == policy.id)
                .values(_policy_row(policy))
            )

    async def delete(self, policy: BookingPolicy) -> None:
        self._events.seen(policy)
        try:
            await self._connection.execute(
                delete(booking_policies).where(booking_policies.c.id == policy.id)
            )
        except IntegrityError as error:  # the rooms' foreign key
            raise Conflict(
                "Rooms still follow this policy; give them another one first."
            ) from error

    async def search(self, page: PageRequest) -> Page[BookingPolicy]:
        rows, total = await LISTING.fetch(self._connection, {}, page)
        return Page([_policy_from(row) for row in rows], total, page.limit, page.offset)


def _policy_row(policy: BookingPolicy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        **{name: getattr(policy.limits, name) for name in LIMIT_COLUMNS},
        "created_at": policy.created_at,
    }


def _policy_from(row: Sequence[Any]) -> BookingPolicy:
    """A row of the `booking_policies` columns, in table order."""
    policy_id, name, *limits, created_at = row
    return BookingPolicy(
        id=policy_id,
        name=name,
        limits=PolicyLimits(**dict(zip(LIMIT_COLUMNS, limits, strict=True))),
        created_at=created_at,
    )
