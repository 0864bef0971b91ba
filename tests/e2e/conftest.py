"""Helpers for end-to-end tests: accounts, sign-in and crafted tokens, all over real HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import jwt
import pytest
from litestar.testing import AsyncTestClient

from campus_booking.application.auth import CreateAdminCommand
from campus_booking.container import Container
from campus_booking.domain.users import Role
from tests.conftest import TEST_SECRET

PASSWORD = "correct horse battery"
ISSUER = "campus-booking"
AUDIENCE = "campus-booking-api"
PROBLEM_KEYS = {"type", "title", "status", "detail"}


@dataclass(frozen=True)
class SignedIn:
    token: str
    user_id: UUID
    email: str


async def register(
    client: AsyncTestClient[Any],
    email: str,
    password: str = PASSWORD,
    full_name: str = "Ana Student",
) -> Any:
    return await client.post(
        "/auth/register", json={"email": email, "password": password, "full_name": full_name}
    )


async def login(client: AsyncTestClient[Any], email: str, password: str = PASSWORD) -> str:
    response = await client.post("/auth/login", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is a problem document (RFC 9457) with `status`; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert body["status"] == status
    return body


def claims_for(user_id: UUID, *, ver: int = 0, role: Role = Role.STUDENT) -> dict[str, Any]:
    """The claims the token service issues, valid now; tests spoil one at a time."""
    now = datetime.now(UTC)
    return {
        "sub": str(user_id),
        "role": role.value,
        "ver": ver,
        "iat": now,
        "nbf": now,
        "exp": now + timedelta(hours=1),
        "iss": ISSUER,
        "aud": AUDIENCE,
        "jti": uuid.uuid4().hex,
    }


def craft(claims: dict[str, Any], secret: str = TEST_SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, secret, algorithm=algorithm)


async def set_role(container: Container, user_id: UUID, role: Role) -> None:
    """Set up behind the API's back, so the audit trail does not show it (no handlers)."""
    async with container.uow(handlers=[]) as uow:
        user = await uow.users.get(user_id)
        assert user is not None
        user.change_role(role, by=user.id, at=datetime.now(UTC))
        await uow.users.save(user)
        await uow.commit()


async def deactivate(container: Container, user_id: UUID) -> None:
    async with container.uow(handlers=[]) as uow:
        user = await uow.users.get(user_id)
        assert user is not None
        user.deactivate(by=user.id, at=datetime.now(UTC))
        await uow.users.save(user)
        await uow.commit()


async def sign_up(client: AsyncTestClient[Any], email: str) -> SignedIn:
    response = await register(client, email)
    assert response.status_code == 201, response.text
    return SignedIn(await login(client, email), UUID(response.json()["id"]), email)


@pytest.fixture
async def student(client: AsyncTestClient[Any]) -> SignedIn:
    return await sign_up(client, "student@uni.example")


@pytest.fixture
async def admin(client: AsyncTestClient[Any], container: Container) -> SignedIn:
    email = "admin@uni.example"
    user = await container.create_admin()(
        CreateAdminCommand(email=email, password=PASSWORD, full_name="Ada Admin")
    )
    return SignedIn(await login(client, email), user.id, email)
