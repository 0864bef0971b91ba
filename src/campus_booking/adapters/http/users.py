"""Users as the API shows them (never the password hash), and their administration."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import PRINTABLE_TEXT
from campus_booking.application.queries import DEFAULT_PAGE_SIZE, UserFilter
from campus_booking.application.users import ChangeUser, ChangeUserCommand, ListUsers
from campus_booking.domain.permissions import Capability
from campus_booking.domain.users import MAX_SEARCH_LENGTH, Role, User


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    full_name: str
    role: Role
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            is_active=user.is_active,
            created_at=user.created_at,
        )


class UserPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change; either change signs the user out everywhere."""

    role: Role | None = None
    is_active: bool | None = None


class AdminUserController(Controller):
    path = "/admin/users"
    tags = ["admin"]
    security = BEARER
    guards = [require(Capability.MANAGE_USERS)]

    @get("/", summary="List users", responses=problem_responses(400, 401, 403, 503))
    async def list_users(
        self,
        current_user: NamedDependency[User],
        list_users: NamedDependency[ListUsers],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        role: FromQuery[Role | None] = None,
        text: Annotated[
            str | None,
            QueryParameter(
                name="q",
                max_length=MAX_SEARCH_LENGTH,
                pattern=PRINTABLE_TEXT,
                description="Email or name contains",
            ),
        ] = None,
    ) -> PageOut[UserOut]:
        user_filter = UserFilter(role=role, text=text)
        page = await list_users(current_user, user_filter, page_request(limit, offset))
        return PageOut([UserOut.of(user) for user in page.items], page.total, limit, offset)

    @patch(
        "/{user_id:uuid}",
        summary="Change a user's role or status",
        description="Deactivating a user with upcoming active bookings answers 409 unless "
        "`cancel_bookings=true`, which cancels them in the same transaction.",
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 503),
    )
    async def change_user(
        self,
        user_id: FromPath[UUID],
        data: JSONBody[UserPatch],
        current_user: NamedDependency[User],
        change_user: NamedDependency[ChangeUser],
        cancel_bookings: FromQuery[bool] = False,
    ) -> UserOut:
        command = ChangeUserCommand(
            role=data.role, is_active=data.is_active, cancel_bookings=cancel_bookings
        )
        user = await change_user(current_user, user_id, command)
        return UserOut.of(user)
