"""A room's opening hours: anyone signed in reads them; staff and admins replace them whole."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import BEARER, require
from campus_booking.adapters.http.strict import CLOSING_TIME, WALL_TIME
from campus_booking.application.opening_hours import (
    DateHours,
    GetOpeningHours,
    SetOpeningHours,
    SetOpeningHoursCommand,
    WeeklyHours,
)
from campus_booking.domain.opening_hours import (
    MAX_EXCEPTIONS,
    MAX_WEEKLY_WINDOWS,
    MAX_WINDOWS_A_DAY,
    OpeningHours,
    wall_time_text,
)
from campus_booking.domain.permissions import Capability
from campus_booking.domain.users import User

Weekday = Annotated[
    int, msgspec.Meta(ge=1, le=7, description="ISO weekday: 1 = Monday ... 7 = Sunday")
]
Opens = Annotated[
    str,
    msgspec.Meta(pattern=WALL_TIME, description="Local wall-clock time", examples=["08:00"]),
]
Closes = Annotated[
    str,
    msgspec.Meta(
        pattern=CLOSING_TIME,
        description="Local wall-clock time after `opens`; `24:00` is the end of the day",
        examples=["22:00"],
    ),
]


class WindowIn(msgspec.Struct, forbid_unknown_fields=True):
    opens: Opens
    closes: Closes


class WeeklyWindowIn(msgspec.Struct, forbid_unknown_fields=True):
    weekday: Weekday
    opens: Opens
    closes: Closes


class DateHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    """The hours of one date instead of its weekday's; no windows: closed all day."""

    date: dt.date
    windows: Annotated[list[WindowIn], msgspec.Meta(max_length=MAX_WINDOWS_A_DAY)]


class OpeningHoursIn(msgspec.Struct, forbid_unknown_fields=True):
    """No weekly windows: open at all times (but on the exceptions' dates)."""

    weekly: Annotated[list[WeeklyWindowIn], msgspec.Meta(max_length=MAX_WEEKLY_WINDOWS)] = []
    exceptions: Annotated[list[DateHoursIn], msgspec.Meta(max_length=MAX_EXCEPTIONS)] = []


class WindowOut(msgspec.Struct):
    opens: str
    closes: str


class WeeklyWindowOut(msgspec.Struct):
    weekday: int
    opens: str
    closes: str


class DateHoursOut(msgspec.Struct):
    date: dt.date
    windows: list[WindowOut]


class OpeningHoursOut(msgspec.Struct):
    weekly: list[WeeklyWindowOut]
    exceptions: list[DateHoursOut]

    @classmethod
    def of(cls, hours: OpeningHours) -> OpeningHoursOut:
        return cls(*_outs(hours))


class OpeningHoursSetOut(msgspec.Struct):
    weekly: list[WeeklyWindowOut]
    exceptions: list[DateHoursOut]
    bookings_outside: Annotated[
        int, msgspec.Meta(description="Upcoming active bookings the new hours leave outside")
    ]


def _outs(hours: OpeningHours) -> tuple[list[WeeklyWindowOut], list[DateHoursOut]]:
    weekly = [
        WeeklyWindowOut(w.weekday, wall_time_text(w.window.opens), wall_time_text(w.window.closes))
        for w in hours.weekly
    ]
    exceptions = [
        DateHoursOut(
            e.on, [WindowOut(wall_time_text(w.opens), wall_time_text(w.closes)) for w in e.windows]
        )
        for e in hours.exceptions
    ]
    return weekly, exceptions


class OpeningHoursController(Controller):
    path = "/rooms/{room_id:uuid}/opening-hours"
    tags = ["rooms"]
    security = BEARER

    @get(
        "/",
        summary="A room's opening hours",
        description="Weekly windows and date exceptions, in the room's local time. A room "
        "without weekly windows is open at all times, but on its exceptions' dates.",
        responses=problem_responses(400, 401, 404, 503),
    )
    async def get_opening_hours(
        self, room_id: FromPath[UUID], get_opening_hours: NamedDependency[GetOpeningHours]
    ) -> OpeningHoursOut:
        return OpeningHoursOut.of(await get_opening_hours(room_id))

    @put(
        "/",
        summary="Replace a room's opening hours",
        description="Replaces the weekly windows and the exceptions whole. Existing bookings "
        "stay as they are: `bookings_outside` counts the upcoming active ones now outside "
        "the hours. Bookings must then lie within open time (`422 outside_opening_hours`); "
        "windows that touch, across midnight too, are one stretch.",
        guards=[require(Capability.MANAGE_OPENING_HOURS)],
        responses=problem_responses(400, 401, 403, 404, 413, 415, 503),
    )
    async def set_opening_hours(
        self,
        room_id: FromPath[UUID],
        data: JSONBody[OpeningHoursIn],
        current_user: NamedDependency[User],
        set_opening_hours: NamedDependency[SetOpeningHours],
    ) -> OpeningHoursSetOut:
        command = SetOpeningHoursCommand(
            weekly=[WeeklyHours(w.weekday, w.opens, w.closes) for w in data.weekly],
            exceptions=[
                DateHours(e.date, [(w.opens, w.closes) for w in e.windows]) for e in data.exceptions
            ],
        )
        result = await set_opening_hours(current_user, room_id, command)
        weekly, exceptions = _outs(result.hours)
        return OpeningHoursSetOut(weekly, exceptions, result.bookings_outside)
