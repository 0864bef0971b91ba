"""The audit log: entries are only ever added, and searched newest first."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.paging import Listing
from campus_booking.adapters.database.tables import audit_log
from campus_booking.application.queries import AuditFilter, Page, PageRequest
from campus_booking.domain.audit import Action, AuditEntry, Entity

INSERT_ENTRY = insert(audit_log)


class SqlAuditRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def add(self, entry: AuditEntry) -> None:
        await self.add_many([entry])

    async def add_many(self, entries: Sequence[AuditEntry]) -> None:
        """One INSERT, executed for many rows at once by the driver."""
        await self._connection.execute(INSERT_ENTRY, [_audit_row(entry) for entry in entries])

    async def search(self, filter: AuditFilter, page: PageRequest) -> Page[AuditEntry]:
        listing = _listing(
            by_entity=filter.entity is not None,
            by_entity_id=filter.entity_id is not None,
            by_actor=filter.actor_id is not None,
            since=filter.since is not None,
            until=filter.until is not None,
        )
        parameters = {
            "entity": filter.entity.value if filter.entity else None,
            "entity_id": filter.entity_id,
            "actor_id": filter.actor_id,
            "since": filter.since,
            "until": filter.until,
        }
        rows, total = await listing.fetch(self._connection, parameters, page)
        return Page([_audit_entry_from(row) for row in rows], total, page.limit, page.offset)


@cache
def _listing(
    *, by_entity: bool, by_entity_id: bool, by_actor: bool, since: bool, until: bool
) -> Listing:
    """The listing for one shape of `AuditFilter`: which of its filters are set."""
    query = select(audit_log).order_by(audit_log.c.occurred_at.desc(), audit_log.c.id)
    if by_entity:
        query = query.where(audit_log.c.entity == bindparam("entity"))
    if by_entity_id:
        query = query.where(audit_log.c.entity_id == bindparam("entity_id"))
    if by_actor:
        query = query.where(audit_log.c.actor_id == bindparam("actor_id"))
    if since:
        query = query.where(audit_log.c.occurred_at >= bindparam("since"))
    if until:
        query = query.where(audit_log.c.occurred_at < bindparam("until"))
    return Listing.of(query)


def _audit_row(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "occurred_at": entry.at,
        "actor_id": entry.actor_id,
        "entity": entry.entity.value,
        "entity_id": entry.entity_id,
        "action": entry.action.value,
        "before": entry.before,
        "after": entry.after,
    }


def _audit_entry_from(row: Sequence[Any]) -> AuditEntry:
    """A row of the `audit_log` columns, in table order."""
    entry_id, occurred_at, actor_id, entity, entity_id, action, before, after = row
    return AuditEntry(
        id=entry_id,
        at=occurred_at,
        actor_id=actor_id,
        entity=Entity(entity),
        entity_id=entity_id,
        action=Action(action),
        before=before,
        after=after,
    )
