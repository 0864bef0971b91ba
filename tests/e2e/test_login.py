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


# --- failures as OAuth2 errors (RFC 6749, section 5.2), for Swagger's Authorize dialog ----


def oauth2_error(response: Any, status: int) -> tuple[str, str]:
    """The problem document with `status` is also an OAuth2 error: its code and description."""
    body = assert_problem(response, status)
    description = body["error_description"]
    assert description
    assert all(" " <= char <= "~" and char not in '"\\' for char in description), description
    return body["error"], description


async def test_wrong_password_is_an_invalid_grant(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD + "!"}
    )

    code, description = oauth2_error(response, 401)
    assert code == "invalid_grant"
    assert description == response.json()["detail"]


async def test_grant_type_other_than_password_is_unsupported(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    form = {"grant_type": "client_credentials", "username": student.email, "password": PASSWORD}

    response = await client.post("/auth/login", data=form)

    code, description = oauth2_error(response, 400)
    assert code == "unsupported_grant_type"
    assert "password" in description
    assert [error["field"] for error in response.json()["errors"]] == ["grant_type"]


async def test_malformed_sign_in_is_an_invalid_request_naming_the_field(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.post("/auth/login", data={"username": student.email})

    code, description = oauth2_error(response, 400)
    assert code == "invalid_request"
    assert "password" in description


async def test_throttled_sign_in_is_an_invalid_grant(
    client: AsyncTestClient[Any], container: Container, student: SignedIn
) -> None:
    form = {"username": student.email, "password": PASSWORD + "!"}
    for _ in range(container.settings().login_failures_per_account_and_client):
        await client.post("/auth/login", data=form)

    code, _ = oauth2_error(await client.post("/auth/login", data=form), 429)
    assert code == "invalid_grant"


async def test_other_routes_answer_plain_problem_documents(
    client: AsyncTestClient[Any],
) -> None:
    """The control: only the token endpoint adds the OAuth2 fields."""
    body = assert_problem(await client.post("/auth/register", json={}), 400)

    assert "error" not in body
