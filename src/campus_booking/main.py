"""Entry points: the ASGI app the server imports, and the `campus-booking` command."""

from __future__ import annotations

import sys

from litestar import Litestar

from campus_booking.adapters.cli import run
from campus_booking.adapters.http.app import create_app
from campus_booking.adapters.logs import configure_logging
from campus_booking.container import Container


def asgi_app() -> Litestar:
    """Factory for the ASGI server: each worker process builds its own container."""
    container = Container()
    settings = container.settings()
    configure_logging(json=settings.log_format == "json", level=settings.log_level)
    return app_on(container)


def app_on(container: Container) -> Litestar:
    """The HTTP app on `container`, whose resources its lifespan opens and shuts down."""
    return create_app(container, lifespan=[lambda _app: container.lifetime()])


def cli() -> None:
    sys.exit(run(Container(), sys.argv[1:]))
