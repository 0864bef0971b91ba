"""Writes safe to retry: a client's `Idempotency-Key` makes a repeat get the first answer.

A keyed write first holds its key for its own transaction (`hold`): a repeat arriving while
the first runs is refused at once (`KeyInUse`, retry shortly) instead of running twice. A key
already answered within its lifetime replays that answer (`AlreadyAnswered`) if the request is
the same, and is refused (a 422) if not. The answer is written in the transaction of the change
it reports (`remember`), so a crash leaves both or neither: a retry after a crash either
replays or runs afresh. A refused write changes nothing and remembers nothing, so running it
again is as safe as replaying it.

Keys belong to the user who sent them; two users' equal keys never meet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Generic, TypeVar
from uuid import UUID

from campus_booking.domain.errors import Conflict, InvalidValue, RulesBroken, Violation

if TYPE_CHECKING:  # the ports name KeyRecord in turn
    from campus_booking.application.ports import Clock, UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")

KEY_FIELD = "Idempotency-Key"
MAX_KEY_LENGTH = 255
KEY_PATTERN = "^[!-~]+$"  # visible ASCII: what `check_key` allows
LIFETIME = timedelta(hours=24)
KEY_REUSED = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the first request was answered, as the client received it."""

    status: int
    body: bytes


@dataclass(frozen=True, slots=True)
class KeyRecord:
    user_id: UUID
    key: str
    fingerprint: str  # of the request: a repeat must be the same request
    answer: Answer
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class IdempotencyKey(Generic[T]):
    """A request's key, the request's fingerprint, and how its result is answered, which the
    use-case records with its change."""

    key: str
    fingerprint: str
    answer: Callable[[T], Answer]

    def __post_init__(self) -> None:
        check_key(self.key)


def check_key(key: str) -> None:
    """1 to 255 visible ASCII characters (no spaces or controls), as the key's draft asks."""
    if not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise InvalidValue(KEY_FIELD, f"must be 1 to {MAX_KEY_LENGTH} characters long")
    if not all("!" <= character <= "~" for character in key):
        raise InvalidValue(KEY_FIELD, "must be visible ASCII characters only")


class AlreadyAnswered(Exception):
    """The key's first answer, to be given again; nothing was changed this time."""

    def __init__(self, answer: Answer) -> None:
        super().__init__("The request was answered before.")
        self.answer = answer


class KeyInUse(Conflict):
    """A request with the same key is still running; `retry_after` is in seconds."""

    def __init__(self, retry_after: int = 1) -> None:
        super().__init__("A request with this Idempotency-Key is still being processed.")
        self.retry_after = retry_after


def key_reused() -> RulesBroken:
    return RulesBroken(
        [
            Violation(
                KEY_REUSED,
                KEY_FIELD,
                "was sent before with a different request (method, path or body)",
            )
        ]
    )


async def replay_if_answered(
    uow: UnitOfWork, user_id: UUID, key: IdempotencyKey[T] | None, now: datetime
) -> None:
    """Hold `key` for this transaction; raise `AlreadyAnswered` if it was answered (and not
    expired), `key_reused()` if for another request, `KeyInUse` if another holds it now.
    Call it first in the transaction: a running twin is refused before any lock is awaited."""
    if key is None:
        return
    record = await uow.idempotency_keys.hold(user_id, key.key)
    if record is None or record.expires_at <= now:
        return
    if record.fingerprint != key.fingerprint:
        raise key_reused()
    raise AlreadyAnswered(record.answer)


async def remember(
    uow: UnitOfWork, user_id: UUID, key: IdempotencyKey[T] | None, result: T, now: datetime
) -> None:
    """Record the answer to `result` with the change, before the commit."""
    if key is None:
        return
    record = KeyRecord(user_id, key.key, key.fingerprint, key.answer(result), now + LIFETIME)
    await uow.idempotency_keys.put(record)


class PurgeExpiredKeys:
    """Drop every expired record, for an operator's schedule (`campus-booking purge-keys`):
    a user's own expired records go as they write, this clears those of users gone quiet."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def __call__(self) -> int:
        async with self._uow() as uow:
            dropped = await uow.idempotency_keys.purge(self._clock.now())
            await uow.commit()
        return dropped
