"""Closures: staff and admins close rooms for a while; anyone signed in sees when."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from campus_booking.adapters.http.bookings import Instant
from campus_booking.adapters.http.idempotency import KeyHeader, idempotency_key
from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import REASON_TEXT
from campus_booking.application.closures import (
    MAX_ROOMS_PER_REQUEST,
    CreateClosures,
    CreateClosuresCommand,
    DeleteClosure,
    GetClosure,
    ListClosures,
)
from campus_booking.application.queries import DEFAULT_PAGE_SIZE, ClosureFilter
from campus_booking.domain.bookings import MAX_REASON_LENGTH
from campus_booking.domain.closures import Closure
from campus_booking.domain.permissions import Capability
from campus_booking.domain.time_slots import ensure_aware_utc
from campus_booking.domain.users import User

ClosureReason = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_REASON_LENGTH, pattern=REASON_TEXT)
]
RoomIds = Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=MAX_ROOMS_PER_REQUEST)]


class ClosureIn(msgspec.Struct, forbid_unknown_fields=True):
    room_ids: RoomIds
    starts_at: Instant
    ends_at: Instant
    reason: ClosureReason
    cancel_conflicting: bool = False


class ClosureOut(msgspec.Struct):
    id: UUID
    room_id: UUID
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, closure: Closure) -> ClosureOut:
        return cls(
            id=closure.id,
            room_id=closure.room_id,
            starts_at=closure.period.start,
            ends_at=closure.period.end,
            reason=closure.reason,
            created_by=closure.created_by,
            created_at=closure.created_at,
        )


class ClosuresOut(msgspec.Struct):
    """One closure per room of the request, in the order the rooms were named."""

    items: list[ClosureOut]


class ClosureController(Controller):
    path = "/closures"
    tags = ["closures"]
    security = BEARER

    @post(
        "/",
        summary="Close rooms for a while",
        description="One closure per room, all or none. Active bookings in the way are a 409 "
        "listing them, unless `cancel_conflicting` is true: then they are cancelled in the "
        "same transaction, the closure's reason becoming their decision reason. A closure "
        "must end after now (422 `in_the_past`).",
        guards=[require(Capability.MANAGE_CLOSURES)],
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
    )
    async def create_closures(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[ClosureIn],
        current_user: NamedDependency[User],
        create_closures: NamedDependency[CreateClosures],
        idempotency_key_header: KeyHeader = None,
    ) -> ClosuresOut:
        key = await idempotency_key(request, idempotency_key_header, _closures_out, 201)
        closures = await create_closures(
            current_user,
            CreateClosuresCommand(
                room_ids=data.room_ids,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                reason=data.reason,
                cancel_conflicting=data.cancel_conflicting,
            ),
            key,
        )
        return _closures_out(closures)

    @get(
        "/",
        summary="List closures",
        description="By start. `from`/`to` select the closures overlapping that window.",
        responses=problem_responses(400, 401, 503),
    )
    async def list_closures(
        self,
        list_closures: NamedDependency[ListClosures],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        room_id: FromQuery[UUID | None] = None,
        window_start: Annotated[datetime | None, QueryParameter(name="from")] = None,
        window_end: Annotated[datetime | None, QueryParameter(name="to")] = None,
    ) -> PageOut[ClosureOut]:
        closure_filter = ClosureFilter(
            room_id=room_id,
            ends_after=ensure_aware_utc(window_start, "from") if window_start else None,
            starts_before=ensure_aware_utc(window_end, "to") if window_end else None,
        )
        page = await list_closures(closure_filter, page_request(limit, offset))
        return PageOut([ClosureOut.of(c) for c in page.items], page.total, limit, offset)

    @get(
        "/{closure_id:uuid}",
        summary="One closure",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def get_closure(
        self, closure_id: FromPath[UUID], get_closure: NamedDependency[GetClosure]
    ) -> ClosureOut:
        return ClosureOut.of(await get_closure(closure_id))

    @delete(
        "/{closure_id:uuid}",
        summary="Delete a closure",
        description="Its time is free at once; bookings it cancelled stay cancelled.",
        guards=[require(Capability.MANAGE_CLOSURES)],
        responses=problem_responses(400, 401, 403, 404, 503),
    )
    async def delete_closure(
        self,
        closure_id: FromPath[UUID],
        current_user: NamedDependency[User],
        delete_closure: NamedDependency[DeleteClosure],
    ) -> None:
        await delete_closure(current_user, closure_id)


def _closures_out(closures: list[Closure]) -> ClosuresOut:
    return ClosuresOut([ClosureOut.of(closure) for closure in closures])
