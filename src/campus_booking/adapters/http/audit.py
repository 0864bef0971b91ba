"""The audit trail, for admins: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.application.audit import ListAuditEntries
from campus_booking.application.queries import DEFAULT_PAGE_SIZE, AuditFilter
from campus_booking.domain.audit import Action, AuditEntry, Entity
from campus_booking.domain.permissions import Capability
from campus_booking.domain.time_slots import ensure_aware_utc
from campus_booking.domain.users import User


class AuditEntryOut(msgspec.Struct):
    id: UUID
    at: datetime
    actor_id: UUID | None  # null: done from the command line
    entity: Entity
    entity_id: UUID
    action: Action
    before: dict[str, Any] | None  # null for a creation; otherwise only the changed fields
    after: dict[str, Any] | None

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            id=entry.id,
            at=entry.at,
            actor_id=entry.actor_id,
            entity=entry.entity,
            entity_id=entry.entity_id,
            action=entry.action,
            before=entry.before,
            after=entry.after,
        )


class AuditController(Controller):
    path = "/admin/audit"
    tags = ["admin"]
    security = BEARER
    guards = [require(Capability.READ_AUDIT_LOG)]

    @get(
        "/",
        summary="The audit trail, newest first",
        description="Every change of a booking, a room, or an account's role or status. "
        "`from`/`to` select entries recorded in `[from, to)`.",
        responses=problem_responses(400, 401, 403, 503),
    )
    async def list_audit_entries(
        self,
        current_user: NamedDependency[User],
        list_audit_entries: NamedDependency[ListAuditEntries],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        entity: FromQuery[Entity | None] = None,
        entity_id: FromQuery[UUID | None] = None,
        actor_id: FromQuery[UUID | None] = None,
        since: Annotated[datetime | None, QueryParameter(name="from")] = None,
        until: Annotated[datetime | None, QueryParameter(name="to")] = None,
    ) -> PageOut[AuditEntryOut]:
        filter = AuditFilter(
            entity=entity,
            entity_id=entity_id,
            actor_id=actor_id,
            since=ensure_aware_utc(since, "from") if since else None,
            until=ensure_aware_utc(until, "to") if until else None,
        )
        page = await list_audit_entries(current_user, filter, page_request(limit, offset))
        items = [AuditEntryOut.of(entry) for entry in page.items]
        return PageOut(items, page.total, limit, offset)
