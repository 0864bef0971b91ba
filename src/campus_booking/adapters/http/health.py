"""Liveness and readiness, for load balancers and orchestrators."""

from __future__ import annotations

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency

from campus_booking.adapters.http.problems import problem_responses
from campus_booking.adapters.http.security import PUBLIC
from campus_booking.application.ports import DatabaseProbe
from campus_booking.domain.errors import Unavailable


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
    async def ready(self, database_probe: NamedDependency[DatabaseProbe]) -> HealthOut:
        if await database_probe.ping():
            return HealthOut(status="ready")
        raise Unavailable("The database is not answering.", retry_after=5)
