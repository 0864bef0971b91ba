"""GET /auth/me for a signed-in user; every attack on the token is in security/test_tokens.py."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import SignedIn, auth


async def test_me_returns_the_signed_in_user(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.get("/auth/me", headers=auth(student.token))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(student.user_id)
    assert body["email"] == student.email
    assert body["role"] == "STUDENT"
    assert "password_hash" not in body
