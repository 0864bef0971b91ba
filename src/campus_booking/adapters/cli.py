"""The `campus-booking` command: create the first admin, migrate, serve, purge expired keys.

It drives the same use-cases as the HTTP API, built by the same container.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import socket
import sys
from typing import TYPE_CHECKING

from campus_booking.application.auth import CreateAdminCommand
from campus_booking.application.ports import SchemaMigrator
from campus_booking.domain.errors import DomainError, Unavailable
from campus_booking.settings import SettingsError

if TYPE_CHECKING:
    from campus_booking.container import Container

# Below the common 30 s grace period of process managers, so the drain ends before their SIGKILL.
DRAIN_SECONDS = 25
ADMIN_PASSWORD_VARIABLE = "CAMPUS_BOOKING_ADMIN_PASSWORD"  # noqa: S105 (a variable name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="campus-booking", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    admin = commands.add_parser("create-admin", help="create an administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--full-name", required=True)

    commands.add_parser("migrate", help="apply the database migrations (alembic upgrade head)")
    commands.add_parser(
        "purge-keys", help="drop the expired Idempotency-Key records (run it daily, say)"
    )

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="default: one per core"
    )
    serve.add_argument(
        "--drain-seconds",
        type=int,
        default=DRAIN_SECONDS,
        help="on SIGTERM, how long in-flight requests may take to finish; keep it below the "
        f"process manager's own grace period (default: {DRAIN_SECONDS})",
    )
    return parser


def run(container: Container, argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        container.settings()  # a configuration error stops every command before it starts
        if args.command == "create-admin":
            return _create_admin(container, args.email, args.full_name)
        if args.command == "migrate":
            return _migrate(container.schema_migrator())
        if args.command == "purge-keys":
            return _purge_keys(container)
        return _serve(args.host, args.port, args.workers, args.drain_seconds)
    except SettingsError as error:
        print(f"campus-booking: configuration error: {error}", file=sys.stderr)
        return 2


def _create_admin(container: Container, email: str, full_name: str) -> int:
    password = os.environ.get(ADMIN_PASSWORD_VARIABLE) or _prompt_password()
    if password is None:
        print("campus-booking: the passwords did not match", file=sys.stderr)
        return 1
    command = CreateAdminCommand(email=email, password=password, full_name=full_name)

    async def create() -> None:
        async with container.lifetime():
            user = await container.create_admin()(command)
        print(f"created admin {user.email} ({user.id})")

    try:
        asyncio.run(create())
    except DomainError as error:
        print(f"campus-booking: {error.message}", file=sys.stderr)
        return 1
    return 0


def _migrate(migrator: SchemaMigrator) -> int:
    try:
        before, after = migrator.upgrade()
    except Unavailable as error:  # a set-up mistake gets one line; anything else its traceback
        print(f"campus-booking: {error.message}", file=sys.stderr)
        return 1
    if before == after:
        print(f"the database was already at the latest revision ({after})")
    elif before is None:
        print(f"created the schema: the database is now at revision {after}")
    else:
        print(f"migrated the database from revision {before} to {after}")
    return 0


def _purge_keys(container: Container) -> int:
    async def purge() -> int:
        async with container.lifetime():
            return await container.purge_expired_keys()()

    try:
        dropped = asyncio.run(purge())
    except Unavailable as error:
        print(f"campus-booking: {error.message}", file=sys.stderr)
        return 1
    print(f"dropped {dropped} expired idempotency key(s)")
    return 0


def _prompt_password() -> str | None:
    first = getpass.getpass("Password for the new admin: ")
    second = getpass.getpass("Repeat the password: ")
    return first if first == second else None


def _serve(host: str, port: int, workers: int, drain_seconds: int) -> int:
    taken = port_taken(host, port)
    if taken:
        print(
            f"campus-booking: cannot listen on {host}:{port}: {taken}; another server (maybe "
            "another campus-booking) holds it: stop it, or choose another port with --port "
            "(make run PORT=...)",
            file=sys.stderr,
        )
        return 1
    serve_asgi(
        "campus_booking.main:asgi_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        drain_seconds=drain_seconds,
    )
    return 0


def port_taken(host: str, port: int) -> str | None:
    """Why the port cannot be listened on, or None when it is free.

    The server binds with SO_REUSEPORT, so a second one on a taken port would start without
    complaint and share its requests with the first. This probe binds without that option
    and so fails while anyone listens there.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror or str(error)
    return None


def serve_asgi(
    target: str,
    *,
    factory: bool,
    host: str,
    port: int,
    workers: int,
    drain_seconds: int = DRAIN_SECONDS,
) -> None:
    """Granian with uvloop: measured at 1.6x uvicorn (uvloop, httptools) on this service's
    2-core machine (`make bench`). The benchmark serves its ceiling app through here too."""
    from granian import Granian
    from granian.constants import Interfaces, Loops

    Granian(
        target,
        factory=factory,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        log_access=False,
        workers_kill_timeout=drain_seconds,
    ).serve()
