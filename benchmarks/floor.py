"""The floor: a bare Litestar endpoint that only reads the user's row with raw asyncpg.

No token check, no SQLAlchemy, no middleware: the least any design that loads the user
from the database on every request can cost. Measured on PostgreSQL beside the ceiling, it
shows how much of the gap between `GET /auth/me` and the ceiling is the database read itself.
"""

from __future__ import annotations

import os

import asyncpg
from litestar import Litestar, get

from benchmarks.ceiling import UserOut

QUERY = "SELECT id, email, full_name, role, is_active, created_at FROM users WHERE email = $1"
pool: asyncpg.Pool | None = None


async def open_pool() -> None:
    global pool
    pool = await asyncpg.create_pool(os.environ["FLOOR_DSN"], min_size=10, max_size=10)


@get("/auth/me")
async def me() -> UserOut:
    assert pool is not None
    async with pool.acquire() as connection:
        row = await connection.fetchrow(QUERY, os.environ["FLOOR_EMAIL"])
    return UserOut(**dict(row))


app = Litestar(route_handlers=[me], on_startup=[open_pool], openapi_config=None)
