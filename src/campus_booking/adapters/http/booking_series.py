"""Booking series: recurring bookings in local time, previewed, made whole or skipping what is
blocked, and lived with (decided, changed, cancelled, dates booked back)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from campus_booking.adapters.http.bookings import (
    DECISION_ERRORS,
    WRITE_ERRORS,
    ApprovalIn,
    Attendees,
    Instant,
    RejectionIn,
    Title,
)
from campus_booking.adapters.http.idempotency import KeyHeader, idempotency_key
from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import (
    BlockedOccurrence,
    ConflictingSlot,
    RuleViolation,
    problem_responses,
)
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import PRINTABLE_TEXT, WALL_TIME
from campus_booking.application.queries import DEFAULT_PAGE_SIZE, SeriesFilter
from campus_booking.application.series import (
    AddOccurrence,
    CancelSeries,
    ChangeSeries,
    ChangeSeriesCommand,
    CreateSeries,
    CreateSeriesCommand,
    DecideSeries,
    GetSeries,
    ListSeries,
    OnConflict,
    PreviewSeries,
    SeriesView,
)
from campus_booking.application.series_checks import OccurrenceCheck
from campus_booking.domain.bookings import BookingStatus
from campus_booking.domain.permissions import Capability
from campus_booking.domain.series import MAX_OCCURRENCES, SeriesStatus
from campus_booking.domain.users import User

Rule = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=500,
        pattern=PRINTABLE_TEXT,
        description="An RFC 5545 RRULE: FREQ=DAILY|WEEKLY|MONTHLY, INTERVAL, BYDAY, "
        "BYMONTHDAY, and one of COUNT and UNTIL",
        examples=["FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270430"],
    ),
]
Zone = Annotated[str, msgspec.Meta(min_length=1, max_length=64, examples=["Europe/Berlin"])]
WallTime = Annotated[
    str, msgspec.Meta(pattern=WALL_TIME, description="Local wall-clock time", examples=["10:00"])
]
Conflicts = Literal["fail", "skip"]


class SeriesIn(msgspec.Struct, forbid_unknown_fields=True):
    room_id: UUID
    title: Title
    starts_at: Instant  # the first occurrence
    ends_at: Instant
    recurrence: Rule
    attendees: Attendees = 1
    time_zone: Zone | None = None  # default: the room's
    exdates: Annotated[list[date], msgspec.Meta(max_length=MAX_OCCURRENCES)] = []
    on_conflict: Conflicts = "fail"

    def command(self) -> CreateSeriesCommand:
        return CreateSeriesCommand(
            room_id=self.room_id,
            title=self.title,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            recurrence=self.recurrence,
            attendees=self.attendees,
            time_zone=self.time_zone,
            exdates=tuple(self.exdates),
            on_conflict=OnConflict(self.on_conflict),
        )


class SeriesPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; `from` limits the change to the local dates from it on."""

    title: Title | None = None
    attendees: Attendees | None = None
    start_time: WallTime | None = None
    end_time: WallTime | None = None
    since: date | None = msgspec.field(default=None, name="from")
    on_conflict: Conflicts = "fail"


class SeriesCancelIn(msgspec.Struct, forbid_unknown_fields=True):
    since: date | None = msgspec.field(default=None, name="from")


class OccurrenceIn(msgspec.Struct, forbid_unknown_fields=True):
    date: date


class OccurrenceOut(msgspec.Struct):
    booking_id: UUID
    starts_at: datetime
    ends_at: datetime
    status: BookingStatus
    changed: bool  # changed on its own, through /bookings/{id}


class SeriesOut(msgspec.Struct):
    id: UUID
    room_id: UUID
    requester_id: UUID
    title: str
    attendees: int
    time_zone: str
    recurrence: str
    exdates: list[date]
    status: SeriesStatus
    occurrences: list[OccurrenceOut]
    skipped: list[BlockedOccurrence]
    created_at: datetime

    @classmethod
    def of(cls, view: SeriesView) -> SeriesOut:
        series = view.series
        return cls(
            id=series.id,
            room_id=series.room_id,
            requester_id=series.requester_id,
            title=series.title,
            attendees=series.attendees,
            time_zone=series.time_zone,
            recurrence=str(series.recurrence),
            exdates=list(series.exdates),
            status=view.status,
            occurrences=[
                OccurrenceOut(b.id, b.slot.start, b.slot.end, b.status, b.series_changed)
                for b in view.occurrences
            ],
            skipped=[BlockedOccurrence.of(blocked) for blocked in series.skipped],
            created_at=series.created_at,
        )


class PreviewedOccurrence(msgspec.Struct):
    starts_at: datetime
    ends_at: datetime
    bookable: bool
    conflicts: list[ConflictingSlot]
    violations: list[RuleViolation]

    @classmethod
    def of(cls, check: OccurrenceCheck) -> PreviewedOccurrence:
        if check.blocked is None:
            return cls(check.slot.start, check.slot.end, True, [], [])
        blocked = BlockedOccurrence.of(check.blocked)
        return cls(blocked.starts_at, blocked.ends_at, False, blocked.conflicts, blocked.violations)


class SeriesPreviewOut(msgspec.Struct):
    occurrences: list[PreviewedOccurrence]


def _wall_time(text: str | None) -> time | None:
    return time.fromisoformat(text) if text else None


class BookingSeriesController(Controller):
    path = "/booking-series"
    tags = ["booking series"]
    security = BEARER

    @post(
        "/",
        summary="Book a room on a recurring schedule",
        description="Every occurrence keeps the first one's local times in `time_zone` (default "
        "the room's), across DST changes, and is checked like a single booking. With "
        "`on_conflict: fail` (the default) one blocked occurrence refuses the whole series (409 "
        "when a booking or closure is in the way, else 422, each blocked occurrence listed in "
        "`occurrences`); with `skip` the others are booked and the blocked ones kept in "
        "`skipped` with why.",
        responses=WRITE_ERRORS,
    )
    async def create_series(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[SeriesIn],
        current_user: NamedDependency[User],
        create_series: NamedDependency[CreateSeries],
        idempotency_key_header: KeyHeader = None,
    ) -> SeriesOut:
        key = await idempotency_key(request, idempotency_key_header, SeriesOut.of, 201)
        return SeriesOut.of(await create_series(current_user, data.command(), key))

    @post(
        "/preview",
        status_code=200,
        summary="Preview a series: every occurrence, and what blocks it",
        description="Takes the body of `POST /booking-series`; writes nothing.",
        responses=problem_responses(400, 401, 404, 413, 415, 503),
    )
    async def preview_series(
        self,
        data: JSONBody[SeriesIn],
        current_user: NamedDependency[User],
        preview_series: NamedDependency[PreviewSeries],
    ) -> SeriesPreviewOut:
        checks = await preview_series(current_user, data.command())
        return SeriesPreviewOut([PreviewedOccurrence.of(check) for check in checks])

    @get(
        "/",
        summary="List booking series",
        description="Students see their own; staff and admins see all, newest first.",
        responses=problem_responses(400, 401, 503),
    )
    async def list_series(
        self,
        current_user: NamedDependency[User],
        list_series: NamedDependency[ListSeries],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        room_id: FromQuery[UUID | None] = None,
        requester_id: Annotated[
            UUID | None, QueryParameter(description="Staff and admins only")
        ] = None,
    ) -> PageOut[SeriesOut]:
        series_filter = SeriesFilter(requester_id=requester_id, room_id=room_id)
        page = await list_series(current_user, series_filter, page_request(limit, offset))
        return PageOut([SeriesOut.of(view) for view in page.items], page.total, limit, offset)

    @get(
        "/{series_id:uuid}",
        summary="One booking series",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def get_series(
        self,
        series_id: FromPath[UUID],
        current_user: NamedDependency[User],
        get_series: NamedDependency[GetSeries],
    ) -> SeriesOut:
        return SeriesOut.of(await get_series(current_user, series_id))

    @patch(
        "/{series_id:uuid}",
        summary="Change the occurrences that have not started",
        description="Or those from the local date `from` on. `start_time`/`end_time` move each "
        "on its own date (a `start_time` alone keeps each one's length); the moved occurrences "
        "are checked like new bookings. With `skip`, those that cannot move keep their time "
        "and title; a change none can take, or a series with none left to change, is a 409 "
        "(422 where only rules refuse it).",
        responses=WRITE_ERRORS,
    )
    async def change_series(
        self,
        series_id: FromPath[UUID],
        data: JSONBody[SeriesPatch],
        current_user: NamedDependency[User],
        change_series: NamedDependency[ChangeSeries],
    ) -> SeriesOut:
        command = ChangeSeriesCommand(
            title=data.title,
            attendees=data.attendees,
            start_time=_wall_time(data.start_time),
            end_time=_wall_time(data.end_time),
            since=data.since,
            on_conflict=OnConflict(data.on_conflict),
        )
        return SeriesOut.of(await change_series(current_user, series_id, command))

    @post(
        "/{series_id:uuid}/cancel",
        status_code=200,
        summary="Cancel the occurrences that have not started",
        description="Or those from the local date `from` on.",
        responses=problem_responses(400, 401, 404, 409, 413, 415, 422, 503),
    )
    async def cancel_series(
        self,
        request: Request[Any, Any, Any],
        series_id: FromPath[UUID],
        current_user: NamedDependency[User],
        cancel_series: NamedDependency[CancelSeries],
        data: JSONBody[SeriesCancelIn | None] = None,
        idempotency_key_header: KeyHeader = None,
    ) -> SeriesOut:
        since = data.since if data else None
        key = await idempotency_key(request, idempotency_key_header, SeriesOut.of, 200)
        return SeriesOut.of(await cancel_series(current_user, series_id, since, key))

    @post(
        "/{series_id:uuid}/occurrences",
        summary="Book a skipped or cancelled date back into the series",
        responses=WRITE_ERRORS,
    )
    async def add_occurrence(
        self,
        series_id: FromPath[UUID],
        data: JSONBody[OccurrenceIn],
        current_user: NamedDependency[User],
        add_occurrence: NamedDependency[AddOccurrence],
    ) -> SeriesOut:
        return SeriesOut.of(await add_occurrence(current_user, series_id, data.date))

    @post(
        "/{series_id:uuid}/approve",
        status_code=200,
        summary="Approve every pending occurrence",
        guards=[require(Capability.DECIDE_BOOKINGS)],
        responses=DECISION_ERRORS,
    )
    async def approve_series(
        self,
        request: Request[Any, Any, Any],
        series_id: FromPath[UUID],
        current_user: NamedDependency[User],
        decide_series: NamedDependency[DecideSeries],
        data: JSONBody[ApprovalIn | None] = None,
        idempotency_key_header: KeyHeader = None,
    ) -> SeriesOut:
        reason = data.reason if data else None
        key = await idempotency_key(request, idempotency_key_header, SeriesOut.of, 200)
        return SeriesOut.of(await decide_series.approve(current_user, series_id, reason, key))

    @post(
        "/{series_id:uuid}/reject",
        status_code=200,
        summary="Reject every pending occurrence",
        guards=[require(Capability.DECIDE_BOOKINGS)],
        responses=DECISION_ERRORS,
    )
    async def reject_series(
        self,
        request: Request[Any, Any, Any],
        series_id: FromPath[UUID],
        data: JSONBody[RejectionIn],
        current_user: NamedDependency[User],
        decide_series: NamedDependency[DecideSeries],
        idempotency_key_header: KeyHeader = None,
    ) -> SeriesOut:
        key = await idempotency_key(request, idempotency_key_header, SeriesOut.of, 200)
        view = await decide_series.reject(current_user, series_id, data.reason, key)
        return SeriesOut.of(view)
