"""Alembic environment: async, and on the same database URL setting as the application."""

from __future__ import annotations

import asyncio
import warnings

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters.database.tables import metadata
from campus_booking.settings import database_url_from_environ

config = context.config

# SQLite cannot reflect the expression index on lower(rooms.name); batch rebuilds of other
# tables reflect rooms through their foreign keys and would warn about it every time.
warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based")


def database_url() -> str:
    return config.attributes.get("database_url") or database_url_from_environ()


def run_migrations_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    # SQLite cannot ALTER most things in place: batch mode rebuilds the table instead.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    migration = context.get_context()
    before = migration.get_current_revision()
    with context.begin_transaction():
        context.run_migrations()
    # The `migrate` command says what it did: from which revision to which.
    config.attributes["revisions"] = (before, migration.get_current_revision())


async def run_migrations_online() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_migrations_online())
