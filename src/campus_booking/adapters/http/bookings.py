"""Bookings: request, change, cancel, and the approval workflow."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from campus_booking.adapters.http.idempotency import KeyHeader, idempotency_key
from campus_booking.adapters.http.openapi import REQUEST_EXAMPLE, RESPONSE_LINKS, links_to
from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import (
    ConflictingSlot,
    RuleViolation,
    problem_responses,
)
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import (
    OPTIONAL_REASON_TEXT,
    PRINTABLE_TEXT,
    REASON_TEXT,
)
from campus_booking.application.bookings import (
    BookingCheck,
    CancelBooking,
    ChangeBooking,
    ChangeBookingCommand,
    CheckBooking,
    CreateBooking,
    CreateBookingCommand,
    DecideBooking,
    GetBooking,
    ListBookings,
)
from campus_booking.application.queries import DEFAULT_PAGE_SIZE, BookingFilter
from campus_booking.domain.bookings import (
    MAX_REASON_LENGTH,
    MAX_TITLE_LENGTH,
    Booking,
    BookingStatus,
)
from campus_booking.domain.permissions import Capability
from campus_booking.domain.time_slots import ensure_aware_utc
from campus_booking.domain.users import User

Instant = Annotated[
    datetime,
    msgspec.Meta(tz=True, description="ISO 8601 with a UTC offset; naive times are refused"),
]
Title = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_TITLE_LENGTH, pattern=PRINTABLE_TEXT)
]
Attendees = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Reason = Annotated[str, msgspec.Meta(max_length=MAX_REASON_LENGTH, pattern=OPTIONAL_REASON_TEXT)]


class BookingIn(msgspec.Struct, forbid_unknown_fields=True):
    room_id: UUID
    starts_at: Instant
    ends_at: Instant
    title: Title
    attendees: Attendees = 1
    # Staff and admins: skip the policy and opening hours (never closures or other bookings).
    override_policy: bool = False


class BookingPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change."""

    starts_at: Instant | None = None
    ends_at: Instant | None = None
    title: Title | None = None
    attendees: Attendees | None = None
    override_policy: bool = False


class ApprovalIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


class RejectionIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[
        str, msgspec.Meta(min_length=1, max_length=MAX_REASON_LENGTH, pattern=REASON_TEXT)
    ]


class BookingOut(msgspec.Struct):
    id: UUID
    room_id: UUID
    requester_id: UUID
    starts_at: datetime
    ends_at: datetime
    title: str
    attendees: int
    status: BookingStatus
    decided_by: UUID | None
    decided_at: datetime | None
    decision_reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, booking: Booking) -> BookingOut:
        return cls(
            id=booking.id,
            room_id=booking.room_id,
            requester_id=booking.requester_id,
            starts_at=booking.slot.start,
            ends_at=booking.slot.end,
            title=booking.title,
            attendees=booking.attendees,
            status=booking.status,
            decided_by=booking.decided_by,
            decided_at=booking.decided_at,
            decision_reason=booking.decision_reason,
            created_at=booking.created_at,
        )


class BookingCheckOut(msgspec.Struct):
    """Whether `POST /bookings` with this body would book, and if not, why."""

    bookable: bool
    violations: list[RuleViolation]
    conflicts: list[ConflictingSlot]

    @classmethod
    def of(cls, check: BookingCheck) -> BookingCheckOut:
        return cls(
            bookable=check.bookable,
            violations=[RuleViolation.of(v) for v in check.violations],
            conflicts=[ConflictingSlot(start, end, "booking") for start, end in check.conflicts]
            + [
                ConflictingSlot(start, end, "closure", reason)
                for start, end, reason in check.closures
            ],
        )


EXAMPLE_ROOM_ID = "00000000-0000-4000-8000-000000000000"
BOOKING_LINKS = links_to(
    "booking_id",
    "get_booking",
    "change_booking",
    "cancel_booking",
    "approve_booking",
    "reject_booking",
)


def booking_example(today: date) -> Example:
    """Tomorrow (UTC), 10:00 to 11:00: a booking the rules accept, whatever day it is today.

    The document is made once per UTC day, so that every worker shows the same one.
    """
    starts_at = datetime.combine(today + timedelta(days=1), time(10), tzinfo=UTC)
    return Example(
        summary="Tomorrow, 10:00 to 11:00 UTC",
        description=f"`{EXAMPLE_ROOM_ID}` stands for a room: put the `id` of one from "
        "`GET /rooms` in its place.",
        value={
            "room_id": EXAMPLE_ROOM_ID,
            "starts_at": starts_at.isoformat().replace("+00:00", "Z"),
            "ends_at": (starts_at + timedelta(hours=1)).isoformat().replace("+00:00", "Z"),
            "title": "Study group",
            "attendees": 4,
        },
    )


def _create_command(data: BookingIn) -> CreateBookingCommand:
    return CreateBookingCommand(
        room_id=data.room_id,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        title=data.title,
        attendees=data.attendees,
        override_policy=data.override_policy,
    )


WRITE_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)
# 422: an Idempotency-Key sent before with another request.
DECISION_ERRORS = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)


class BookingController(Controller):
    path = "/bookings"
    tags = ["bookings"]
    security = BEARER

    @post(
        "/",
        summary="Book a room",
        description="The example books tomorrow, 10:00 to 11:00 UTC; its `room_id` is a "
        "placeholder: replace it with the `id` of a room from `GET /rooms`.",
        responses=WRITE_ERRORS,
        opt={REQUEST_EXAMPLE: booking_example, RESPONSE_LINKS: BOOKING_LINKS},
    )
    async def create_booking(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[BookingIn],
        current_user: NamedDependency[User],
        create_booking: NamedDependency[CreateBooking],
        idempotency_key_header: KeyHeader = None,
    ) -> BookingOut:
        key = await idempotency_key(request, idempotency_key_header, BookingOut.of, 201)
        booking = await create_booking(current_user, _create_command(data), key)
        return BookingOut.of(booking)

    @post(
        "/check",
        status_code=200,
        summary="Check whether a booking would be accepted",
        description="Takes the body of `POST /bookings` and answers, for the caller, every "
        "rule it would break (`violations`, the codes of a 422) and the times of the bookings "
        "in its way (`conflicts`, as in a 409); books nothing and writes nothing.",
        responses=problem_responses(400, 401, 403, 404, 413, 415, 503),
        opt={REQUEST_EXAMPLE: booking_example},
    )
    async def check_booking(
        self,
        data: JSONBody[BookingIn],
        current_user: NamedDependency[User],
        check_booking: NamedDependency[CheckBooking],
    ) -> BookingCheckOut:
        return BookingCheckOut.of(await check_booking(current_user, _create_command(data)))

    @get(
        "/",
        summary="List bookings",
        description="Students see their own; staff and admins see all. `from`/`to` select the "
        "bookings overlapping that window.",
        responses=problem_responses(400, 401, 503),
    )
    async def list_bookings(
        self,
        current_user: NamedDependency[User],
        list_bookings: NamedDependency[ListBookings],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        room_id: FromQuery[UUID | None] = None,
        requester_id: Annotated[
            UUID | None, QueryParameter(description="Staff and admins only")
        ] = None,
        status: Annotated[
            list[BookingStatus] | None, QueryParameter(description="Repeatable")
        ] = None,
        window_start: Annotated[datetime | None, QueryParameter(name="from")] = None,
        window_end: Annotated[datetime | None, QueryParameter(name="to")] = None,
    ) -> PageOut[BookingOut]:
        booking_filter = BookingFilter(
            requester_id=requester_id,
            room_id=room_id,
            statuses=frozenset(status or ()),
            ends_after=ensure_aware_utc(window_start, "from") if window_start else None,
            starts_before=ensure_aware_utc(window_end, "to") if window_end else None,
        )
        page = await list_bookings(current_user, booking_filter, page_request(limit, offset))
        return PageOut([BookingOut.of(b) for b in page.items], page.total, limit, offset)

    @get(
        "/{booking_id:uuid}", summary="One booking", responses=problem_responses(400, 401, 404, 503)
    )
    async def get_booking(
        self,
        booking_id: FromPath[UUID],
        current_user: NamedDependency[User],
        get_booking: NamedDependency[GetBooking],
    ) -> BookingOut:
        return BookingOut.of(await get_booking(current_user, booking_id))

    @patch("/{booking_id:uuid}", summary="Change or move a booking", responses=WRITE_ERRORS)
    async def change_booking(
        self,
        booking_id: FromPath[UUID],
        data: JSONBody[BookingPatch],
        current_user: NamedDependency[User],
        change_booking: NamedDependency[ChangeBooking],
    ) -> BookingOut:
        booking = await change_booking(
            current_user,
            booking_id,
            ChangeBookingCommand(
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                title=data.title,
                attendees=data.attendees,
                override_policy=data.override_policy,
            ),
        )
        return BookingOut.of(booking)

    @post(
        "/{booking_id:uuid}/cancel",
        status_code=200,
        summary="Cancel a booking",
        responses=problem_responses(400, 401, 404, 409, 422, 503),
    )
    async def cancel_booking(
        self,
        request: Request[Any, Any, Any],
        booking_id: FromPath[UUID],
        current_user: NamedDependency[User],
        cancel_booking: NamedDependency[CancelBooking],
        idempotency_key_header: KeyHeader = None,
    ) -> BookingOut:
        key = await idempotency_key(request, idempotency_key_header, BookingOut.of, 200)
        return BookingOut.of(await cancel_booking(current_user, booking_id, key))

    @post(
        "/{booking_id:uuid}/approve",
        status_code=200,
        summary="Approve a pending booking",
        guards=[require(Capability.DECIDE_BOOKINGS)],
        responses=DECISION_ERRORS,
    )
    async def approve_booking(
        self,
        booking_id: FromPath[UUID],
        current_user: NamedDependency[User],
        decide_booking: NamedDependency[DecideBooking],
        request: Request[Any, Any, Any],
        data: JSONBody[ApprovalIn | None] = None,
        idempotency_key_header: KeyHeader = None,
    ) -> BookingOut:
        reason = data.reason if data else None
        key = await idempotency_key(request, idempotency_key_header, BookingOut.of, 200)
        booking = await decide_booking.approve(current_user, booking_id, reason, key)
        return BookingOut.of(booking)

    @post(
        "/{booking_id:uuid}/reject",
        status_code=200,
        summary="Reject a pending booking",
        guards=[require(Capability.DECIDE_BOOKINGS)],
        responses=DECISION_ERRORS,
    )
    async def reject_booking(
        self,
        booking_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        data: JSONBody[RejectionIn],
        current_user: NamedDependency[User],
        decide_booking: NamedDependency[DecideBooking],
        idempotency_key_header: KeyHeader = None,
    ) -> BookingOut:
        key = await idempotency_key(request, idempotency_key_header, BookingOut.of, 200)
        booking = await decide_booking.reject(current_user, booking_id, data.reason, key)
        return BookingOut.of(booking)
