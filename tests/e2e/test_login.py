"""POST /auth/login: the OAuth2 password grant, form-encoded."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from campus_booking.container import Container
from tests.e2e.conftest import PASSWORD, SignedIn, assert_problem, deactivate


async def test_login_returns_a_bearer_token_that_is_not_cached(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str)
    assert body["access_token"].count(".") == 2
    assert body["expires_in"] == 3600
    assert response.headers["cache-control"] == "no-store"


async def test_login_accepts_the_fields_swagger_sends(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    form = {"grant_type": "password", "username": student.email, "password": PASSWORD, "scope": ""}

    response = await client.post("/auth/login", data=form)

    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"


async def test_login_email_is_case_insensitive(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.post(
        "/auth/login", data={"username": student.email.upper(), "password": PASSWORD}
    )

    assert response.status_code == 200


async def test_unknown_email_and_wrong_password_get_identical_answers(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    unknown = await client.post(
        "/auth/login", data={"username": "nobody@uni.example", "password": PASSWORD}
    )
    wrong = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD + "!"}
    )

    assert_problem(unknown, 401)
    assert_problem(wrong, 401)
    assert unknown.json() == wrong.json()
    assert unknown.headers["www-authenticate"].startswith("Bearer")


async def test_deactivated_user_gets_the_same_answer_as_a_wrong_password(
    client: AsyncTestClient[Any], container: Container, student: SignedIn
) -> None:
    wrong = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD + "!"}
    )
    await deactivate(container, student.user_id)

    response = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD}
    )

    assert_problem(response, 401)
    assert response.json() == wrong.json()


async def test_json_body_instead_of_a_form_is_an_unsupported_media_type(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.post(
        "/auth/login", json={"username": student.email, "password": PASSWORD}
    )

    body = assert_problem(response, 415)
    assert "application/x-www-form-urlencoded" in body["detail"]


async def test_missing_password_is_refused(client: AsyncTestClient[Any], student: SignedIn) -> None:
    response = await client.post("/auth/login", data={"username": student.email})

    body = assert_problem(response, 400)
    assert body["errors"][0]["field"] == "password"


async def test_password_over_72_bytes_is_refused_not_a_crash(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD + "é" * 40}
    )

    assert_problem(response, 401)
