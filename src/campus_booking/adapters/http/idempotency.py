"""The `Idempotency-Key` request header (IETF httpapi draft): a keyed write's answer is kept
with its change, and a repeat of the same request gets it again, `Idempotent-Replayed: true`.

What a key means and when a repeat is refused is the application's (idempotency.py); here the
header is read, the request fingerprinted (method, path and body bytes) and the answer encoded
as Litestar would send it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.params import HeaderParameter
from litestar.serialization import encode_json

from campus_booking.application.idempotency import (
    KEY_FIELD,
    KEY_PATTERN,
    LIFETIME,
    MAX_KEY_LENGTH,
    AlreadyAnswered,
    Answer,
    IdempotencyKey,
)

T = TypeVar("T")

REPLAYED = "Idempotent-Replayed"

KeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=KEY_FIELD,
        required=False,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description="Makes the write safe to retry: 1 to 255 visible ASCII characters, unique "
        f"per request (a UUID will do). A repeat within {LIFETIME.days * 24} hours with the "
        f"same key, method, path and body gets the first answer again, with `{REPLAYED}: "
        "true`, and changes nothing; the same key with another request is a 422 "
        "(`idempotency_key_reused`); a repeat while the first still runs is a 409 with "
        "`Retry-After`. A refused request keeps no answer: sent again, it runs again.",
    ),
]


async def idempotency_key(
    request: Request[Any, Any, Any],
    header: str | None,
    render: Callable[[T], Any],
    status: int,
) -> IdempotencyKey[T] | None:
    """The request's key, if it sent one; `render` turns the use-case's result into the body
    the route returns with `status`."""
    if header is None:
        return None
    fingerprint = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    fingerprint.update(await request.body())

    def answer(result: T) -> Answer:
        return Answer(status, encode_json(render(result)))

    return IdempotencyKey(header, fingerprint.hexdigest(), answer)


def replay_answer(_request: Request[Any, Any, Any], answered: AlreadyAnswered) -> Response[bytes]:
    return Response(
        answered.answer.body,
        status_code=answered.answer.status,
        media_type=MediaType.JSON,
        headers={REPLAYED: "true"},
    )
