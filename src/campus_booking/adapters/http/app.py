"""The app factory: a Litestar application around a container."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

from litestar import Litestar
from litestar.middleware import DefineMiddleware

from campus_booking.adapters.http.allow import allow_every_method
from campus_booking.adapters.http.audit import AuditController
from campus_booking.adapters.http.auth import AuthController
from campus_booking.adapters.http.availability import AvailabilityController
from campus_booking.adapters.http.booking_policies import BookingPolicyController
from campus_booking.adapters.http.booking_series import BookingSeriesController
from campus_booking.adapters.http.bookings import BookingController
from campus_booking.adapters.http.calendar_feeds import CalendarFeedController
from campus_booking.adapters.http.closures import ClosureController
from campus_booking.adapters.http.connections import CloseWhenBodyUnread
from campus_booking.adapters.http.content_types import DeclaredContentType
from campus_booking.adapters.http.dependencies import AppContainer, ContainerDependencies
from campus_booking.adapters.http.docs import DOCS_PATH, openapi_config, swagger_assets
from campus_booking.adapters.http.health import HealthController
from campus_booking.adapters.http.idempotency import replay_answer
from campus_booking.adapters.http.openapi import ApiStructSchemaPlugin
from campus_booking.adapters.http.opening_hours import OpeningHoursController
from campus_booking.adapters.http.problems import EXCEPTION_HANDLERS
from campus_booking.adapters.http.request_log import RequestLog
from campus_booking.adapters.http.rooms import RoomController
from campus_booking.adapters.http.security import SECURITY_COMPONENTS, BearerTokenMiddleware
from campus_booking.adapters.http.security_headers import cors_config, security_headers
from campus_booking.adapters.http.strict import check_input
from campus_booking.adapters.http.users import AdminUserController
from campus_booking.application.idempotency import AlreadyAnswered

MAX_BODY_BYTES = 64 * 1024


Lifespan = Callable[[Litestar], AbstractAsyncContextManager[None]]


def create_app(container: AppContainer, *, lifespan: Sequence[Lifespan] = ()) -> Litestar:
    """The app on `container`; `lifespan` is the caller's, who owns the container's resources."""
    settings = container.settings()
    app = Litestar(
        route_handlers=[
            AuthController,
            RoomController,
            OpeningHoursController,
            AvailabilityController,
            BookingController,
            BookingSeriesController,
            CalendarFeedController,
            ClosureController,
            BookingPolicyController,
            AdminUserController,
            AuditController,
            HealthController,
            swagger_assets(),
        ],
        middleware=[
            DefineMiddleware(
                BearerTokenMiddleware,
                get_current_user=container.get_current_user,
                exclude=[f"^{DOCS_PATH}"],
            ),
            DeclaredContentType(),
        ],
        exception_handlers={**EXCEPTION_HANDLERS, AlreadyAnswered: replay_answer},
        before_request=check_input,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=openapi_config(SECURITY_COMPONENTS),
        plugins=[ContainerDependencies(container), ApiStructSchemaPlugin()],
        cors_config=cors_config(settings.cors_origins),
        before_send=[security_headers(hsts_seconds=settings.hsts_seconds), allow_every_method()],
        lifespan=lifespan,
        logging_config=None,  # the entry point configures logging (adapters/logs.py)
    )
    # Outermost, so that requests matching no route are logged and given an id too.
    app.asgi_handler = RequestLog(CloseWhenBodyUnread(app.asgi_handler))
    return app
