"""The ceiling: a bare Litestar app answering what `GET /auth/me` answers, from memory.

Served by the same server with the same workers as the real service, it is the most any
Litestar endpoint can do on this machine; every other figure is reported as a share of it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import msgspec
from litestar import Litestar, get


class UserOut(msgspec.Struct):
    id: UUID
    email: str
    full_name: str
    role: str
    is_active: bool
    created_at: datetime


ME = UserOut(
    id=UUID("0b7c1a52-2f0e-4a57-9a43-0f4a8d6de001"),
    email="bench.student@uni.example",
    full_name="Bench Student",
    role="STUDENT",
    is_active=True,
    created_at=datetime(2026, 1, 1, tzinfo=UTC),
)


@get("/auth/me")
async def me() -> UserOut:
    return ME


app = Litestar(route_handlers=[me], openapi_config=None)
