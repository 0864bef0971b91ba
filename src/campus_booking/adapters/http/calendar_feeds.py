"""Calendar feeds: subscription URLs for calendar apps, and the feeds they fetch."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter

from campus_booking.adapters.calendar import render_feed
from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, PUBLIC
from campus_booking.application.calendar_feeds import (
    CreateFeed,
    CreateFeedCommand,
    DeleteFeed,
    ListFeeds,
    ReadFeed,
)
from campus_booking.domain.calendar_feeds import CalendarFeed, FeedScope
from campus_booking.domain.errors import InvalidValue, NotFound
from campus_booking.domain.users import User

SUFFIX = ".ics"
MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8"


class FeedIn(msgspec.Struct, forbid_unknown_fields=True):
    scope: Literal["mine", "room"]
    room_id: UUID | None = None


class FeedOut(msgspec.Struct):
    id: UUID
    scope: FeedScope
    room_id: UUID | None
    created_at: datetime

    @classmethod
    def of(cls, feed: CalendarFeed) -> FeedOut:
        return cls(feed.id, feed.scope, feed.room_id, feed.created_at)


class CreatedFeedOut(FeedOut):
    url: str  # shown this once: only the token's hash is kept


class CalendarFeedController(Controller):
    path = "/calendar/feeds"
    tags = ["calendar feeds"]
    security = BEARER

    @post(
        "/",
        summary="Make a calendar feed to subscribe to",
        description="`scope: mine` for your own bookings, `room` (with `room_id`) for a room's. "
        "The answer's `url` holds the feed's secret token and is shown only this once.",
        responses=problem_responses(400, 401, 404, 413, 415, 503),
    )
    async def create_feed(
        self,
        data: JSONBody[FeedIn],
        current_user: NamedDependency[User],
        create_feed: NamedDependency[CreateFeed],
    ) -> CreatedFeedOut:
        created = await create_feed(
            current_user, CreateFeedCommand(FeedScope(data.scope), data.room_id)
        )
        feed = created.feed
        url = f"{self.path}/{created.token}{SUFFIX}"
        return CreatedFeedOut(feed.id, feed.scope, feed.room_id, feed.created_at, url)

    @get(
        "/",
        summary="Your calendar feeds (without their tokens)",
        responses=problem_responses(401, 503),
    )
    async def list_feeds(
        self, current_user: NamedDependency[User], list_feeds: NamedDependency[ListFeeds]
    ) -> list[FeedOut]:
        return [FeedOut.of(feed) for feed in await list_feeds(current_user)]

    # One path for both: OpenAPI then lists one resource with both methods, as Allow does.
    @delete(
        "/{feed:str}",
        summary="Revoke a calendar feed",
        description="Its URL answers 404 from then on.",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def delete_feed(
        self,
        feed: Annotated[str, PathParameter(description="The feed's id")],
        current_user: NamedDependency[User],
        delete_feed: NamedDependency[DeleteFeed],
    ) -> None:
        try:
            feed_id = UUID(feed)
        except ValueError:
            raise InvalidValue("feed", "must be a feed's id (a UUID)") from None
        await delete_feed(current_user, feed_id)

    @get(
        "/{feed:str}",
        summary="A calendar feed, as a calendar app fetches it",
        description="`/calendar/feeds/{token}.ics`, with no Authorization header: the token is "
        "the credential. `text/calendar` with an `ETag`; `If-None-Match` with it answers 304.",
        opt=PUBLIC,
        security=[],
        media_type=MEDIA_TYPE,
        responses=problem_responses(400, 404, 503),
    )
    async def read_feed(
        self,
        feed: Annotated[str, PathParameter(description="`{token}.ics`")],
        request: Request[Any, Any, Any],
        read_feed: NamedDependency[ReadFeed],
    ) -> Response[bytes]:
        token, suffix = feed[: -len(SUFFIX)], feed[-len(SUFFIX) :]
        if suffix != SUFFIX or not token:
            raise NotFound("Calendar feed not found.")
        body = render_feed(await read_feed(token))
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
        if etag in _tags(request.headers.get("if-none-match", "")):
            return Response(b"", status_code=304, headers=headers, media_type=MEDIA_TYPE)
        return Response(body, headers=headers, media_type=MEDIA_TYPE)


def _tags(header: str) -> set[str]:
    """The entity tags an If-None-Match names; weak ones match too (RFC 9110, 13.1.2)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
