"""Booking policies: anyone signed in reads them; staff and admins write them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from campus_booking.adapters.http.openapi import RESPONSE_LINKS, links_to
from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import FILLED_TEXT
from campus_booking.application.booking_policies import (
    CreateBookingPolicy,
    DeleteBookingPolicy,
    GetBookingPolicy,
    ListBookingPolicies,
    PolicyCommand,
    ReplaceBookingPolicy,
)
from campus_booking.application.queries import DEFAULT_PAGE_SIZE
from campus_booking.domain.booking_policies import (
    MAX_ADVANCE_DAYS,
    MAX_POLICY_NAME_LENGTH,
    MINUTES_PER_DAY,
    MINUTES_PER_WEEK,
    SLOT_MINUTES,
    BookingPolicy,
    PolicyLimits,
)
from campus_booking.domain.permissions import Capability
from campus_booking.domain.users import User

Name = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_POLICY_NAME_LENGTH, pattern=FILLED_TEXT)
]
DayMinutes = Annotated[int, msgspec.Meta(ge=1, le=MINUTES_PER_DAY)]
WeekMinutes = Annotated[int, msgspec.Meta(ge=1, le=MINUTES_PER_WEEK)]
NoticeMinutes = Annotated[int, msgspec.Meta(ge=1, le=MAX_ADVANCE_DAYS * MINUTES_PER_DAY)]
Days = Annotated[int, msgspec.Meta(ge=1, le=MAX_ADVANCE_DAYS)]
Count = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Step = Annotated[
    int,
    msgspec.Meta(
        ge=1, le=60, description=f"Divides an hour: one of {', '.join(map(str, SLOT_MINUTES))}"
    ),
]


class PolicyIn(msgspec.Struct, forbid_unknown_fields=True):
    """A whole policy; a limit left out or null is no limit."""

    name: Name
    min_duration_minutes: DayMinutes | None = None
    max_duration_minutes: DayMinutes | None = None
    slot_minutes: Step | None = None
    min_notice_minutes: NoticeMinutes | None = None
    max_advance_days: Days | None = None
    max_minutes_per_day: DayMinutes | None = None
    max_minutes_per_week: WeekMinutes | None = None
    max_active_bookings: Count | None = None

    def command(self) -> PolicyCommand:
        return PolicyCommand(
            name=self.name,
            limits=PolicyLimits(
                min_duration_minutes=self.min_duration_minutes,
                max_duration_minutes=self.max_duration_minutes,
                slot_minutes=self.slot_minutes,
                min_notice_minutes=self.min_notice_minutes,
                max_advance_days=self.max_advance_days,
                max_minutes_per_day=self.max_minutes_per_day,
                max_minutes_per_week=self.max_minutes_per_week,
                max_active_bookings=self.max_active_bookings,
            ),
        )


class PolicyOut(msgspec.Struct):
    id: UUID
    name: str
    min_duration_minutes: int | None
    max_duration_minutes: int | None
    slot_minutes: int | None
    min_notice_minutes: int | None
    max_advance_days: int | None
    max_minutes_per_day: int | None
    max_minutes_per_week: int | None
    max_active_bookings: int | None
    created_at: datetime

    @classmethod
    def of(cls, policy: BookingPolicy) -> PolicyOut:
        limits = policy.limits
        return cls(
            id=policy.id,
            name=policy.name,
            min_duration_minutes=limits.min_duration_minutes,
            max_duration_minutes=limits.max_duration_minutes,
            slot_minutes=limits.slot_minutes,
            min_notice_minutes=limits.min_notice_minutes,
            max_advance_days=limits.max_advance_days,
            max_minutes_per_day=limits.max_minutes_per_day,
            max_minutes_per_week=limits.max_minutes_per_week,
            max_active_bookings=limits.max_active_bookings,
            created_at=policy.created_at,
        )


POLICY_LINKS = links_to(
    "policy_id", "get_booking_policy", "replace_booking_policy", "delete_booking_policy"
)
MANAGE = [require(Capability.MANAGE_BOOKING_POLICIES)]


class BookingPolicyController(Controller):
    path = "/booking-policies"
    tags = ["booking policies"]
    security = BEARER

    @get("/", summary="List booking policies", responses=problem_responses(400, 401, 503))
    async def list_booking_policies(
        self,
        list_booking_policies: NamedDependency[ListBookingPolicies],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
    ) -> PageOut[PolicyOut]:
        page = await list_booking_policies(page_request(limit, offset))
        return PageOut([PolicyOut.of(p) for p in page.items], page.total, limit, offset)

    @get(
        "/{policy_id:uuid}",
        summary="One booking policy",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def get_booking_policy(
        self, policy_id: FromPath[UUID], get_booking_policy: NamedDependency[GetBookingPolicy]
    ) -> PolicyOut:
        return PolicyOut.of(await get_booking_policy(policy_id))

    @post(
        "/",
        summary="Create a booking policy",
        description="Rooms follow it once their `policy_id` names it. Names are unique "
        "whatever their case (409).",
        guards=MANAGE,
        opt={RESPONSE_LINKS: POLICY_LINKS},
        responses=problem_responses(400, 401, 403, 409, 413, 415, 503),
    )
    async def create_booking_policy(
        self,
        data: JSONBody[PolicyIn],
        current_user: NamedDependency[User],
        create_booking_policy: NamedDependency[CreateBookingPolicy],
    ) -> PolicyOut:
        return PolicyOut.of(await create_booking_policy(current_user, data.command()))

    @put(
        "/{policy_id:uuid}",
        summary="Replace a booking policy",
        description="Every limit at once: one left out becomes no limit. Applies to requests "
        "from now on; bookings already made stay.",
        guards=MANAGE,
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 503),
    )
    async def replace_booking_policy(
        self,
        policy_id: FromPath[UUID],
        data: JSONBody[PolicyIn],
        current_user: NamedDependency[User],
        replace_booking_policy: NamedDependency[ReplaceBookingPolicy],
    ) -> PolicyOut:
        return PolicyOut.of(await replace_booking_policy(current_user, policy_id, data.command()))

    @delete(
        "/{policy_id:uuid}",
        summary="Delete a booking policy",
        description="Refused (409) while rooms follow it.",
        guards=MANAGE,
        responses=problem_responses(400, 401, 403, 404, 409, 503),
    )
    async def delete_booking_policy(
        self,
        policy_id: FromPath[UUID],
        current_user: NamedDependency[User],
        delete_booking_policy: NamedDependency[DeleteBookingPolicy],
    ) -> None:
        await delete_booking_policy(current_user, policy_id)
