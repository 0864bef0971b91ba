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
    return create_app(container)


def cli() -> None:
    sys.exit(run(Container(), sys.argv[1:]))
