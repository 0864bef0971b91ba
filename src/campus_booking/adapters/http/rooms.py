"""Rooms: anyone signed in browses them; staff and admins manage them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from campus_booking.adapters.http.openapi import RESPONSE_LINKS, links_to
from campus_booking.adapters.http.pagination import Limit, Offset, PageOut, page_request
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import FEATURE_TAG, FILLED_TEXT, string_items
from campus_booking.application.queries import DEFAULT_PAGE_SIZE, RoomFilter
from campus_booking.application.rooms import (
    CreateRoom,
    CreateRoomCommand,
    DeactivateRoom,
    GetRoom,
    ListRooms,
    UpdateRoom,
    UpdateRoomCommand,
)
from campus_booking.domain.permissions import Capability
from campus_booking.domain.rooms import MAX_BUILDING_LENGTH, MAX_FEATURES, MAX_NAME_LENGTH, Room
from campus_booking.domain.users import User

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_LENGTH, pattern=FILLED_TEXT)]
Building = Annotated[
    str, msgspec.Meta(min_length=1, max_length=MAX_BUILDING_LENGTH, pattern=FILLED_TEXT)
]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=100_000)]
Feature = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=32, pattern=FEATURE_TAG, examples=["projector"]),
]
FEATURE_ITEMS = string_items(min_length=1, max_length=32, pattern=FEATURE_TAG)
Features = Annotated[
    list[Feature], msgspec.Meta(max_length=MAX_FEATURES, extra_json_schema=FEATURE_ITEMS)
]
# The filters of room listings and searches, as query parameters.
BuildingFilter = Annotated[
    str | None,
    QueryParameter(min_length=1, max_length=MAX_BUILDING_LENGTH, pattern=FILLED_TEXT),
]
FeaturesFilter = Annotated[
    list[Feature] | None,
    QueryParameter(
        name="feature",
        description="Repeatable: rooms having all of them",
        schema_extra=FEATURE_ITEMS["extra"],
    ),
]

# The shape of an IANA name; whether the zone exists is the domain's check (a 400 naming the
# field). Not an enum of the zones: names like GMT+0 and GMT-0 break client generators' enums.
TimeZone = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$",
        description="An IANA time zone name: the zone of the room's opening hours and rules",
        examples=["Europe/Berlin"],
    ),
]


class RoomIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    building: Building
    capacity: Capacity
    features: Features = []
    requires_approval: bool = False
    time_zone: TimeZone | None = None  # None: the campus zone (CAMPUS_BOOKING_TIME_ZONE)
    policy_id: UUID | None = None  # None: the campus defaults apply


class RoomPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Only the fields sent change."""

    name: Name | None = None
    building: Building | None = None
    capacity: Capacity | None = None
    features: Features | None = None
    requires_approval: bool | None = None
    time_zone: TimeZone | None = None
    # Left out: unchanged; null: back to the campus defaults.
    policy_id: UUID | msgspec.UnsetType | None = msgspec.UNSET


class RoomOut(msgspec.Struct):
    id: UUID
    name: str
    building: str
    capacity: int
    features: list[str]
    requires_approval: bool
    is_active: bool
    time_zone: str
    created_at: datetime
    policy_id: UUID | None

    @classmethod
    def of(cls, room: Room) -> RoomOut:
        return cls(
            id=room.id,
            name=room.name,
            building=room.building,
            capacity=room.capacity,
            features=sorted(room.features),
            requires_approval=room.requires_approval,
            is_active=room.is_active,
            time_zone=room.time_zone,
            created_at=room.created_at,
            policy_id=room.policy_id,
        )


ROOM_LINKS = {
    **links_to("room_id", "get_room", "update_room", "deactivate_room"),
    "BookIt": {"operationId": "create_booking", "requestBody": {"room_id": "$response.body#/id"}},
}


class RoomController(Controller):
    path = "/rooms"
    tags = ["rooms"]
    security = BEARER

    @get("/", summary="List rooms", responses=problem_responses(400, 401, 403, 503))
    async def list_rooms(
        self,
        current_user: NamedDependency[User],
        list_rooms: NamedDependency[ListRooms],
        limit: Limit = DEFAULT_PAGE_SIZE,
        offset: Offset = 0,
        min_capacity: Annotated[int | None, QueryParameter(ge=1, le=100_000)] = None,
        building: BuildingFilter = None,
        features: FeaturesFilter = None,
        include_inactive: Annotated[
            bool, QueryParameter(description="Staff and admins only")
        ] = False,
    ) -> PageOut[RoomOut]:
        room_filter = RoomFilter(
            min_capacity=min_capacity,
            building=building,
            features=frozenset(features or ()),
            include_inactive=include_inactive,
        )
        page = await list_rooms(current_user, room_filter, page_request(limit, offset))
        return PageOut([RoomOut.of(room) for room in page.items], page.total, limit, offset)

    @get("/{room_id:uuid}", summary="One room", responses=problem_responses(400, 401, 404, 503))
    async def get_room(
        self, room_id: FromPath[UUID], get_room: NamedDependency[GetRoom]
    ) -> RoomOut:
        return RoomOut.of(await get_room(room_id))

    @post(
        "/",
        summary="Create a room",
        guards=[require(Capability.MANAGE_ROOMS)],
        opt={RESPONSE_LINKS: ROOM_LINKS},
        responses=problem_responses(400, 401, 403, 409, 413, 415, 503),
    )
    async def create_room(
        self,
        data: JSONBody[RoomIn],
        current_user: NamedDependency[User],
        create_room: NamedDependency[CreateRoom],
    ) -> RoomOut:
        room = await create_room(
            current_user,
            CreateRoomCommand(
                name=data.name,
                building=data.building,
                capacity=data.capacity,
                features=data.features,
                requires_approval=data.requires_approval,
                time_zone=data.time_zone,
                policy_id=data.policy_id,
            ),
        )
        return RoomOut.of(room)

    @patch(
        "/{room_id:uuid}",
        summary="Change some of a room's details",
        guards=[require(Capability.MANAGE_ROOMS)],
        responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 503),
    )
    async def update_room(
        self,
        room_id: FromPath[UUID],
        data: JSONBody[RoomPatch],
        current_user: NamedDependency[User],
        update_room: NamedDependency[UpdateRoom],
    ) -> RoomOut:
        room = await update_room(
            current_user,
            room_id,
            UpdateRoomCommand(
                name=data.name,
                building=data.building,
                capacity=data.capacity,
                features=data.features,
                requires_approval=data.requires_approval,
                time_zone=data.time_zone,
                policy_id=data.policy_id if isinstance(data.policy_id, UUID) else None,
                clear_policy=data.policy_id is None,
            ),
        )
        return RoomOut.of(room)

    @delete(
        "/{room_id:uuid}",
        summary="Deactivate a room",
        description="The room stays in history. Upcoming bookings block this (409) unless "
        "`cancel_bookings=true`, which cancels them in the same transaction.",
        guards=[require(Capability.DEACTIVATE_ROOMS)],
        responses=problem_responses(400, 401, 403, 404, 409, 503),
    )
    async def deactivate_room(
        self,
        room_id: FromPath[UUID],
        current_user: NamedDependency[User],
        deactivate_room: NamedDependency[DeactivateRoom],
        cancel_bookings: FromQuery[bool] = False,
    ) -> None:
        await deactivate_room(current_user, room_id, cancel_bookings=cancel_bookings)
