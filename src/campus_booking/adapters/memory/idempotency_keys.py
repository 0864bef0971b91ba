"""Idempotency keys in memory: records by user and key, and the keys units of work hold now,
which every unit of work of the store sees at once, as a database's locks are."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from campus_booking.application.idempotency import KeyInUse, KeyRecord

Held = set[tuple[UUID, str]]


class MemoryIdempotencyKeyRepository:
    def __init__(self, rows: dict[tuple[UUID, str], KeyRecord], held: Held, mine: Held) -> None:
        self._rows = rows
        self._held = held  # by every unit of work of the store
        self._mine = mine  # by this one, let go when it ends

    async def hold(self, user_id: UUID, key: str) -> KeyRecord | None:
        wanted = (user_id, key)
        if wanted in self._held and wanted not in self._mine:
            raise KeyInUse()
        self._held.add(wanted)
        self._mine.add(wanted)
        return self._rows.get(wanted)

    async def put(self, record: KeyRecord) -> None:
        self._rows[record.user_id, record.key] = record

    async def purge(self, now: datetime) -> int:
        expired = [k for k, r in self._rows.items() if r.expires_at <= now]
        for k in expired:
            del self._rows[k]
        return len(expired)
