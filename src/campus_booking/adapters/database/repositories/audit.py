"""The audit log: entries are only ever added, and searched newest first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import RowMapping, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.repositories.paging import page_of
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
        query = select(audit_log).order_by(audit_log.c.occurred_at.desc(), audit_log.c.id)
        if filter.entity is not None:
            query = query.where(audit_log.c.entity == filter.entity.value)
        if filter.entity_id is not None:
            query = query.where(audit_log.c.entity_id == filter.entity_id)
        if filter.actor_id is not None:
            query = query.where(audit_log.c.actor_id == filter.actor_id)
        if filter.since is not None:
            query = query.where(audit_log.c.occurred_at >= filter.since)
        if filter.until is not None:
            query = query.where(audit_log.c.occurred_at < filter.until)
        rows, total = await page_of(self._connection, query, page)
        return Page([_audit_entry_from(row) for row in rows], total, page.limit, page.offset)


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


def _audit_entry_from(row: RowMapping) -> AuditEntry:
    return AuditEntry(
        id=row["id"],
        at=row["occurred_at"],
        actor_id=row["actor_id"],
        entity=Entity(row["entity"]),
        entity_id=row["entity_id"],
        action=Action(row["action"]),
        before=row["before"],
        after=row["after"],
    )
