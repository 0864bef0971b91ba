"""GET /auth/me, and every way a bearer token can be missing, forged, stale or misplaced."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from litestar.testing import AsyncTestClient
from sqlalchemy import delete

from campus_booking.adapters.database.tables import users
from campus_booking.container import Container
from campus_booking.domain.users import Role
from tests.e2e.conftest import (
    SignedIn,
    assert_problem,
    auth,
    claims_for,
    craft,
    deactivate,
    set_role,
)


async def me(client: AsyncTestClient[Any], headers: dict[str, str] | None = None) -> Any:
    return await client.get("/auth/me", headers=headers or {})


def assert_unauthenticated(response: Any) -> None:
    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


async def test_me_returns_the_signed_in_user(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await me(client, auth(student.token))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(student.user_id)
    assert body["email"] == student.email
    assert body["role"] == "STUDENT"
    assert "password_hash" not in body


async def test_crafted_token_with_correct_claims_is_accepted(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    """Guards the crafting helper: the tokens spoiled below differ in one claim only."""
    response = await me(client, auth(craft(claims_for(student.user_id))))

    assert response.status_code == 200


async def test_no_authorization_header(client: AsyncTestClient[Any]) -> None:
    assert_unauthenticated(await me(client))


async def test_basic_scheme(client: AsyncTestClient[Any], student: SignedIn) -> None:
    assert_unauthenticated(await me(client, {"Authorization": f"Basic {student.token}"}))


async def test_bearer_with_empty_token(client: AsyncTestClient[Any]) -> None:
    assert_unauthenticated(await me(client, {"Authorization": "Bearer "}))


async def test_bearer_scheme_alone(client: AsyncTestClient[Any]) -> None:
    assert_unauthenticated(await me(client, {"Authorization": "Bearer"}))


async def test_garbage_token(client: AsyncTestClient[Any]) -> None:
    assert_unauthenticated(await me(client, auth("not.a.jwt")))


async def test_tampered_payload_with_the_original_signature(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    header, payload, signature = student.token.split(".")
    claims = json.loads(_unb64(payload))
    claims["role"] = "ADMIN"
    forged = ".".join([header, _b64(json.dumps(claims).encode()), signature])

    assert_unauthenticated(await me(client, auth(forged)))


async def test_alg_none_token(client: AsyncTestClient[Any], student: SignedIn) -> None:
    token = jwt.encode(claims_for(student.user_id), key=None, algorithm="none")

    assert_unauthenticated(await me(client, auth(token)))


async def test_alg_none_token_with_the_original_payload(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    _, payload, _ = student.token.split(".")
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())

    assert_unauthenticated(await me(client, auth(f"{header}.{payload}.")))


async def test_token_signed_with_another_secret(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    token = craft(claims_for(student.user_id), secret="another-secret-" + "x" * 40)

    assert_unauthenticated(await me(client, auth(token)))


async def test_wrong_issuer(client: AsyncTestClient[Any], student: SignedIn) -> None:
    token = craft({**claims_for(student.user_id), "iss": "someone-else"})

    assert_unauthenticated(await me(client, auth(token)))


async def test_wrong_audience(client: AsyncTestClient[Any], student: SignedIn) -> None:
    token = craft({**claims_for(student.user_id), "aud": "another-api"})

    assert_unauthenticated(await me(client, auth(token)))


async def test_expired_token(client: AsyncTestClient[Any], student: SignedIn) -> None:
    past = datetime.now(UTC) - timedelta(hours=2)
    claims = {**claims_for(student.user_id), "iat": past, "nbf": past}
    token = craft({**claims, "exp": past + timedelta(hours=1)})

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_issued_in_the_future(client: AsyncTestClient[Any], student: SignedIn) -> None:
    future = datetime.now(UTC) + timedelta(hours=1)
    token = craft({**claims_for(student.user_id), "iat": future})

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_missing_a_required_claim(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    claims = claims_for(student.user_id)
    del claims["ver"]

    assert_unauthenticated(await me(client, auth(craft(claims))))


async def test_token_of_a_deleted_user(
    client: AsyncTestClient[Any], container: Container, student: SignedIn
) -> None:
    async with container.engine().begin() as connection:
        result = await connection.execute(delete(users).where(users.c.id == student.user_id))
    assert result.rowcount == 1

    assert_unauthenticated(await me(client, auth(student.token)))


async def test_token_of_a_user_that_never_existed(client: AsyncTestClient[Any]) -> None:
    token = craft(claims_for(uuid.uuid4()))

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_of_a_deactivated_user(
    client: AsyncTestClient[Any], container: Container, student: SignedIn
) -> None:
    await deactivate(container, student.user_id)

    assert_unauthenticated(await me(client, auth(student.token)))


async def test_token_of_a_deactivated_user_carrying_its_current_version(
    client: AsyncTestClient[Any], container: Container, student: SignedIn
) -> None:
    """Deactivation bumps the version; this token has the new one, so only is_active stops it."""
    await deactivate(container, student.user_id)

    token = craft(claims_for(student.user_id, ver=1))

    assert_unauthenticated(await me(client, auth(token)))


async def test_token_older_than_a_role_change(
    client: AsyncTestClient[Any], container: Container, student: SignedIn
) -> None:
    await set_role(container, student.user_id, Role.STAFF)

    assert_unauthenticated(await me(client, auth(student.token)))


async def test_token_only_in_the_query_string(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.get("/auth/me", params={"access_token": student.token})

    assert_unauthenticated(response)


async def test_token_only_in_a_cookie(client: AsyncTestClient[Any], student: SignedIn) -> None:
    response = await client.get("/auth/me", headers={"Cookie": f"access_token={student.token}"})

    assert_unauthenticated(response)
