"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency

from campus_booking.adapters.http.problems import problem_response, problem_responses
from campus_booking.adapters.http.security import PUBLIC
from campus_booking.application.ports import DatabaseProbe


class HealthOut(msgspec.Struct):
    status: str


class HealthController(Controller):
    path = "/health"
    tags = ["health"]
    opt = PUBLIC

    @get("/", summary="The process is up (touches no database)")
    async def live(self) -> HealthOut:
        return HealthOut(status="ok")

    @get(
        "/ready",
        summary="The service can reach its database",
        responses=problem_responses(503),
    )
    async def ready(self, database_probe: NamedDependency[DatabaseProbe]) -> Response[Any]:
        if await database_probe.ping():
            return Response(HealthOut(status="ready"))
        return problem_response(
            HTTPStatus.SERVICE_UNAVAILABLE,
            "The database is not answering.",
            kind="unavailable",
            headers={"Retry-After": "5"},
        )
