"""POST /auth/register: who may sign up, with what, and how refusals look."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.conftest import PASSWORD, assert_problem, register

USER_KEYS = {"id", "email", "full_name", "role", "is_active", "created_at"}
VALID = {"email": "ana@uni.example", "password": PASSWORD, "full_name": "Ana Student"}


async def test_register_creates_a_student_with_a_lower_cased_email(
    client: AsyncTestClient[Any],
) -> None:
    response = await register(client, "Ana.Lopez@Uni.Example")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == USER_KEYS
    assert body["email"] == "ana.lopez@uni.example"
    assert body["role"] == "STUDENT"
    assert body["is_active"] is True
    assert body["full_name"] == "Ana Student"


async def test_register_response_never_contains_the_password_or_its_hash(
    client: AsyncTestClient[Any],
) -> None:
    response = await register(client, "ana@uni.example")

    assert response.status_code == 201
    assert PASSWORD not in response.text
    assert "$2" not in response.text  # bcrypt hashes start with $2a$/$2b$
    assert "password" not in response.text


async def test_duplicate_email_in_other_letter_case_is_a_conflict(
    client: AsyncTestClient[Any],
) -> None:
    assert (await register(client, "ana@uni.example")).status_code == 201

    body = assert_problem(await register(client, "ANA@UNI.EXAMPLE"), 409)
    assert body == {
        "type": "urn:campus-booking:problem:conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "An account with this email already exists.",
    }


async def test_full_width_spelling_of_a_taken_email_is_a_conflict(
    client: AsyncTestClient[Any],
) -> None:
    assert (await register(client, "ana@uni.example")).status_code == 201

    full_width = "".join(chr(ord(char) + 0xFEE0) for char in "ana@uni.example")
    assert full_width.isascii() is False

    assert_problem(await register(client, full_width), 409)


async def test_role_in_the_body_is_refused_and_creates_no_user(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.post("/auth/register", json={**VALID, "role": "ADMIN"})

    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "role"
    login = await client.post(
        "/auth/login", data={"username": VALID["email"], "password": PASSWORD}
    )
    assert login.status_code == 401


async def test_unknown_field_is_refused(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/auth/register", json={**VALID, "is_active": False})

    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "is_active"


@pytest.mark.parametrize("email", ["not-an-email", "ana@localhost", "ana @uni.example"])
async def test_invalid_email_is_refused(client: AsyncTestClient[Any], email: str) -> None:
    body = assert_problem(await register(client, email), 400)

    assert body["errors"][0]["field"] == "email"


@pytest.mark.parametrize("email", ["ana\x00x@uni.example", "ana\x07@uni.example"])
async def test_email_with_a_control_character_is_refused(
    client: AsyncTestClient[Any], email: str
) -> None:
    """NUL cannot be stored in PostgreSQL text; no mailbox name contains control characters."""
    body = assert_problem(await register(client, email), 400)

    assert body["errors"][0]["field"] == "email"


async def test_password_of_seven_characters_is_refused(client: AsyncTestClient[Any]) -> None:
    body = assert_problem(await register(client, "ana@uni.example", password="x" * 7), 400)

    assert body["errors"][0]["field"] == "password"


async def test_password_over_72_bytes_in_fewer_than_72_characters_is_refused(
    client: AsyncTestClient[Any],
) -> None:
    password = "é" * 36 + "x"  # 37 characters, 73 bytes in UTF-8
    assert len(password) < 72
    assert len(password.encode()) == 73

    body = assert_problem(await register(client, "ana@uni.example", password=password), 400)

    assert body["errors"][0]["field"] == "password"


async def test_password_of_exactly_72_bytes_is_accepted(client: AsyncTestClient[Any]) -> None:
    response = await register(client, "ana@uni.example", password="x" * 72)

    assert response.status_code == 201


async def test_whitespace_only_full_name_is_refused(client: AsyncTestClient[Any]) -> None:
    body = assert_problem(await register(client, "ana@uni.example", full_name=" \t "), 400)

    assert body["errors"][0]["field"] == "full_name"


async def test_missing_full_name_is_refused(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/auth/register", json={"email": "ana@uni.example", "password": PASSWORD}
    )

    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "full_name"


@pytest.mark.parametrize("payload", [b"[]", b'"x"', b"1", b"null"])
async def test_non_object_json_body_is_refused(
    client: AsyncTestClient[Any], payload: bytes
) -> None:
    response = await client.post(
        "/auth/register", content=payload, headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400)


async def test_malformed_json_is_refused(client: AsyncTestClient[Any]) -> None:
    response = await client.post(
        "/auth/register", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )

    assert_problem(response, 400)


async def test_sign_ups_looping_from_one_address_answer_429_with_retry_after(
    client: AsyncTestClient[Any], container: Container
) -> None:
    """The attack: one address re-registering in a loop was never throttled."""
    container.settings.override(replace(container.settings(), registrations_per_client=3))
    statuses = [(await register(client, "ana@uni.example")).status_code for _ in range(4)]

    refused = await register(client, "bo@uni.example")

    assert statuses == [201, 409, 409, 429]
    body = assert_problem(refused, 429)
    assert int(refused.headers["Retry-After"]) > 0
    assert "sign-ups" in body["detail"]
