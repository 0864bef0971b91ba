"""Role guards, health probes, the error shape of unexpected and routing errors, and OpenAPI."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar, get
from litestar.middleware import DefineMiddleware
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import MAX_BODY_BYTES
from campus_booking.adapters.http.dependencies import ContainerDependencies
from campus_booking.adapters.http.problems import EXCEPTION_HANDLERS
from campus_booking.adapters.http.security import BearerTokenMiddleware, require
from campus_booking.application.auth import RegisterUser, RegisterUserCommand
from campus_booking.container import Container
from campus_booking.domain.permissions import Capability
from campus_booking.domain.users import Role, User
from campus_booking.main import app_on
from tests.e2e.conftest import (
    PASSWORD,
    SignedIn,
    assert_problem,
    auth,
    claims_for,
    craft,
    register,
    set_role,
)

BROKEN_DATABASE_URL = "sqlite+aiosqlite:////nonexistent/dir/campus_booking.db"


# --- require ------------------------------------------------------------------------------


@get("/admin-only", guards=[require(Capability.READ_AUDIT_LOG)], sync_to_thread=False)
def admin_only() -> dict[str, str]:
    return {"secret": "for admins"}


@get("/staff-or-admin", guards=[require(Capability.MANAGE_ROOMS)], sync_to_thread=False)
def staff_or_admin() -> dict[str, str]:
    return {"secret": "for staff"}


@pytest.fixture
async def guarded_client(container: Container) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real middleware, dependencies and error handlers around two guarded routes."""
    app = Litestar(
        route_handlers=[admin_only, staff_or_admin],
        plugins=[ContainerDependencies(container)],
        middleware=[
            DefineMiddleware(BearerTokenMiddleware, get_current_user=container.get_current_user)
        ],
        exception_handlers=EXCEPTION_HANDLERS,
    )
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


async def test_student_is_forbidden_from_an_admin_route(
    guarded_client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await guarded_client.get("/admin-only", headers=auth(student.token))

    body = assert_problem(response, 403)
    assert body["detail"] == "This needs one of the roles: ADMIN."
    assert "secret" not in body


async def test_role_claim_in_a_signed_token_does_not_grant_the_role(
    guarded_client: AsyncTestClient[Any], student: SignedIn
) -> None:
    """The guard reads the role stored for the user, not the one the token claims."""
    token = craft(claims_for(student.user_id, role=Role.ADMIN))

    assert_problem(await guarded_client.get("/admin-only", headers=auth(token)), 403)


async def test_admin_passes_the_admin_guard(
    guarded_client: AsyncTestClient[Any], admin: SignedIn
) -> None:
    response = await guarded_client.get("/admin-only", headers=auth(admin.token))

    assert response.status_code == 200
    assert response.json() == {"secret": "for admins"}


async def test_anonymous_caller_is_unauthenticated_not_forbidden(
    guarded_client: AsyncTestClient[Any],
) -> None:
    response = await guarded_client.get("/admin-only")

    assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_guard_with_several_roles_lets_any_of_them_through(
    client: AsyncTestClient[Any],
    guarded_client: AsyncTestClient[Any],
    container: Container,
    student: SignedIn,
) -> None:
    await set_role(container, student.user_id, Role.STAFF)
    response = await client.post(
        "/auth/login", data={"username": student.email, "password": PASSWORD}
    )
    token = response.json()["access_token"]

    assert (await guarded_client.get("/staff-or-admin", headers=auth(token))).status_code == 200
    assert_problem(await guarded_client.get("/admin-only", headers=auth(token)), 403)


# --- health -------------------------------------------------------------------------------


@pytest.fixture
async def broken_client(container: Container) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real app on a database that cannot be opened."""
    settings = dataclasses.replace(container.settings(), database_url=BROKEN_DATABASE_URL)
    with container.settings.override(providers.Object(settings)):
        async with AsyncTestClient(app=app_on(container)) as test_client:
            yield test_client


async def test_liveness_is_ok(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_liveness_is_ok_without_a_database(broken_client: AsyncTestClient[Any]) -> None:
    response = await broken_client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readiness_is_ready_on_a_working_database(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/health/ready")

    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


async def test_readiness_is_503_with_retry_after_without_a_database(
    broken_client: AsyncTestClient[Any],
) -> None:
    response = await broken_client.get("/health/ready")

    assert_problem(response, 503)
    assert response.headers["retry-after"] == "5"


# --- unexpected errors --------------------------------------------------------------------


class ExplodingRegisterUser(RegisterUser):
    """A RegisterUser (Litestar checks the injected type) that fails like a bug would."""

    async def __call__(self, command: RegisterUserCommand) -> User:
        raise RuntimeError("secret internals")


async def test_unexpected_error_is_a_500_problem_that_hides_the_cause(
    client: AsyncTestClient[Any], container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        container.register_user.override(
            providers.Factory(
                ExplodingRegisterUser,
                uow=container.uow.provider,
                hasher=container.registration_hasher,
                clock=container.clock,
                throttle=container.registration_throttle,
            )
        ),
        caplog.at_level(logging.ERROR),
    ):
        response = await register(client, "ana@uni.example")

    assert_problem(response, 500)
    assert "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    logged = [record for record in caplog.records if record.exc_info]
    assert logged, "the error must be logged with its traceback"
    assert isinstance(logged[0].exc_info[1], RuntimeError)  # type: ignore[index]
    assert "secret internals" in caplog.text


# --- routing errors -----------------------------------------------------------------------


async def test_unknown_route_is_a_404_problem(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/no/such/route"), 404)


async def test_wrong_method_is_a_405_problem(client: AsyncTestClient[Any]) -> None:
    assert_problem(await client.get("/auth/register"), 405)


async def test_body_over_64_kib_is_a_413_problem(client: AsyncTestClient[Any]) -> None:
    padding = "x" * (MAX_BODY_BYTES + 1)
    response = await client.post(
        "/auth/register",
        json={"email": "ana@uni.example", "password": PASSWORD, "full_name": padding},
    )

    assert_problem(response, 413)


# --- OpenAPI ------------------------------------------------------------------------------


@pytest.fixture
async def openapi(client: AsyncTestClient[Any]) -> dict[str, Any]:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    schema: dict[str, Any] = response.json()
    return schema


async def test_openapi_declares_the_oauth2_password_flow(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]

    assert schemes["OAuth2PasswordBearer"]["type"] == "oauth2"
    assert schemes["OAuth2PasswordBearer"]["flows"]["password"]["tokenUrl"] == "/auth/login"


async def test_openapi_requires_the_token_for_me_only(openapi: dict[str, Any]) -> None:
    paths = openapi["paths"]

    assert paths["/auth/me"]["get"]["security"] == [{"OAuth2PasswordBearer": []}]
    assert not paths["/auth/register"]["post"].get("security")
    assert not paths["/auth/login"]["post"].get("security")
    assert not openapi.get("security")


async def test_swagger_ui_is_served(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "swagger" in response.text.lower()


async def test_options_on_a_guarded_path_lists_its_methods_without_signing_in(
    client: AsyncTestClient[Any],
) -> None:
    """OPTIONS is never authenticated; the role guard must let it through, not crash (500)."""
    response = await client.options("/admin/users/00000000-0000-4000-8000-000000000000")

    assert response.status_code == 204
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"PATCH", "OPTIONS"}
