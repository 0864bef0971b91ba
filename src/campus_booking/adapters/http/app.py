"""The app factory: a Litestar application around a container."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Litestar
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from campus_booking.adapters.http.auth import AuthController
from campus_booking.adapters.http.bookings import BookingController
from campus_booking.adapters.http.dependencies import DEPENDENCIES
from campus_booking.adapters.http.health import HealthController
from campus_booking.adapters.http.problems import EXCEPTION_HANDLERS
from campus_booking.adapters.http.rooms import RoomController
from campus_booking.adapters.http.security import SECURITY_COMPONENTS, BearerTokenMiddleware
from campus_booking.adapters.http.users import AdminUserController

if TYPE_CHECKING:
    from campus_booking.container import Container

MAX_BODY_BYTES = 64 * 1024


def create_app(container: Container) -> Litestar:
    async def dispose_engine() -> None:
        await container.engine().dispose()

    return Litestar(
        route_handlers=[
            AuthController,
            RoomController,
            BookingController,
            AdminUserController,
            HealthController,
        ],
        state=State({"container": container}),
        dependencies=DEPENDENCIES,
        middleware=[DefineMiddleware(BearerTokenMiddleware, exclude=["^/docs"])],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Campus Booking",
            version="0.1.0",
            description="Book university rooms: accounts, rooms, bookings and approvals.",
            path="/docs",
            render_plugins=[SwaggerRenderPlugin(path="/")],
            components=SECURITY_COMPONENTS,
        ),
        on_shutdown=[dispose_engine],
    )
