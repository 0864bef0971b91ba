"""The audit log in memory: entries are only ever added, and searched newest first."""

from __future__ import annotations

from collections.abc import Sequence

from campus_booking.adapters.memory.paging import page_of
from campus_booking.application.queries import AuditFilter, Page, PageRequest
from campus_booking.domain.audit import AuditEntry


class MemoryAuditRepository:
    def __init__(self, entries: list[AuditEntry]) -> None:
        self._entries = entries

    async def add(self, entry: AuditEntry) -> None:
        self._entries.append(entry)

    async def add_many(self, entries: Sequence[AuditEntry]) -> None:
        self._entries.extend(entries)

    async def search(self, filter: AuditFilter, page: PageRequest) -> Page[AuditEntry]:
        matches = [
            entry
            for entry in sorted(self._entries, key=lambda entry: entry.at, reverse=True)
            if (filter.entity is None or entry.entity is filter.entity)
            and (filter.entity_id is None or entry.entity_id == filter.entity_id)
            and (filter.actor_id is None or entry.actor_id == filter.actor_id)
            and (filter.since is None or entry.at >= filter.since)
            and (filter.until is None or entry.at < filter.until)
        ]
        return page_of(matches, page)
