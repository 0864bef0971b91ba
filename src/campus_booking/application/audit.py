"""Recording changes in the audit trail, and reading it back."""

from __future__ import annotations

from datetime import datetime

from campus_booking.application.ports import UnitOfWork, UnitOfWorkFactory
from campus_booking.application.queries import AuditFilter, Page, PageRequest
from campus_booking.domain.audit import Action, AuditEntry, Fields, record
from campus_booking.domain.bookings import Booking
from campus_booking.domain.permissions import Capability, check_may
from campus_booking.domain.rooms import Room
from campus_booking.domain.users import User


async def audit_change(
    uow: UnitOfWork,
    *,
    actor: User | None,
    action: Action,
    subject: Booking | Room | User,
    before: Fields | None,
    at: datetime,
) -> None:
    """Adds the entry to the caller's unit of work: it commits or rolls back with the change."""
    entry = record(actor=actor, action=action, subject=subject, before=before, at=at)
    if entry is not None:
        await uow.audit.add(entry)


class ListAuditEntries:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(
        self, actor: User, filter: AuditFilter, page: PageRequest
    ) -> Page[AuditEntry]:
        check_may(actor, Capability.READ_AUDIT_LOG)
        async with self._uow(read_only=True) as uow:
            return await uow.audit.search(filter, page)
