"""Idempotency keys: a record per user and key, and on PostgreSQL a transaction-level
advisory lock per key, tried without waiting, so that a running twin is refused at once.

SQLite runs one writer at a time: a twin waits for the first to commit, then replays it.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from campus_booking.adapters.database.tables import idempotency_keys as keys
from campus_booking.application.idempotency import Answer, KeyInUse, KeyRecord

TRY_LOCK = select(func.pg_try_advisory_xact_lock(bindparam("lock_id")))
RECORD = select(keys).where(keys.c.user_id == bindparam("user_id"), keys.c.key == bindparam("key"))


def _upsert(insert: Any) -> Any:
    """Written over the key's expired record, if any, in one statement: on SQLite every
    statement of the write's transaction holds all other writers back."""
    statement = insert(keys)
    changed = ("fingerprint", "status", "body", "expires_at")
    return statement.on_conflict_do_update(
        index_elements=[keys.c.user_id, keys.c.key],
        set_={name: statement.excluded[name] for name in changed},
    )


UPSERT = {"postgresql": _upsert(postgresql.insert), "sqlite": _upsert(sqlite.insert)}
PURGE = delete(keys).where(keys.c.expires_at <= bindparam("now"))


class SqlIdempotencyKeyRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    async def hold(self, user_id: UUID, key: str) -> KeyRecord | None:
        if self._connection.dialect.name == "postgresql":
            held = await self._connection.scalar(TRY_LOCK, {"lock_id": lock_id(user_id, key)})
            if not held:
                raise KeyInUse()
        row = (await self._connection.execute(RECORD, {"user_id": user_id, "key": key})).first()
        if row is None:
            return None
        user_id, key, fingerprint, status, body, expires_at = row
        return KeyRecord(user_id, key, fingerprint, Answer(status, bytes(body)), expires_at)

    async def put(self, record: KeyRecord) -> None:
        await self._connection.execute(
            UPSERT[self._connection.dialect.name],
            {
                "user_id": record.user_id,
                "key": record.key,
                "fingerprint": record.fingerprint,
                "status": record.answer.status,
                "body": record.answer.body,
                "expires_at": record.expires_at,
            },
        )

    async def purge(self, now: datetime) -> int:
        result = await self._connection.execute(PURGE, {"now": now})
        return result.rowcount


def lock_id(user_id: UUID, key: str) -> int:
    """A signed 64-bit number for the user's key, as advisory locks take; a collision would
    only make a twin of another key wait its turn."""
    digest = hashlib.sha256(user_id.bytes + key.encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)
