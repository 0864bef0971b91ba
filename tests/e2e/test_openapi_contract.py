"""The OpenAPI document promises what the API does: error statuses, problem bodies, security."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_MEDIA_TYPE = "application/problem+json"
SECURITY = [{"OAuth2PasswordBearer": []}]
METHODS = {"get", "post", "put", "patch", "delete"}
WRITE_METHODS = {"post", "put", "patch", "delete"}
PUBLIC = {("/auth/register", "post"), ("/auth/login", "post"), ("/health", "get")} | {
    ("/health/ready", "get")
}
OPERATIONS = {
    ("/auth/register", "post"),
    ("/auth/login", "post"),
    ("/auth/me", "get"),
    ("/auth/logout", "post"),
    ("/auth/password", "post"),
    ("/rooms", "get"),
    ("/rooms", "post"),
    ("/rooms/{room_id}", "get"),
    ("/rooms/{room_id}", "patch"),
    ("/rooms/{room_id}", "delete"),
    ("/bookings", "get"),
    ("/bookings", "post"),
    ("/bookings/{booking_id}", "get"),
    ("/bookings/{booking_id}", "patch"),
    ("/bookings/{booking_id}/cancel", "post"),
    ("/bookings/{booking_id}/approve", "post"),
    ("/bookings/{booking_id}/reject", "post"),
    ("/admin/users", "get"),
    ("/admin/users/{user_id}", "patch"),
    ("/admin/audit", "get"),
    ("/health", "get"),
    ("/health/ready", "get"),
}
GUARDED = {
    ("/rooms", "post"),
    ("/rooms/{room_id}", "patch"),
    ("/rooms/{room_id}", "delete"),
    ("/admin/users", "get"),
    ("/admin/users/{user_id}", "patch"),
    ("/admin/audit", "get"),
    ("/bookings/{booking_id}/approve", "post"),
    ("/bookings/{booking_id}/reject", "post"),
}
SUCCESS = {
    ("/rooms", "post"): "201",
    ("/bookings", "post"): "201",
    ("/rooms/{room_id}", "delete"): "204",
    ("/bookings/{booking_id}/cancel", "post"): "200",
    ("/bookings/{booking_id}/approve", "post"): "200",
    ("/bookings/{booking_id}/reject", "post"): "200",
}

Operation = tuple[str, str, dict[str, Any]]


@pytest.fixture
async def openapi(client: AsyncTestClient[Any]) -> dict[str, Any]:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def operations(openapi: dict[str, Any]) -> list[Operation]:
    """Every operation except the health probes, which answer load balancers, not clients."""
    return [
        (path, method, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS and not path.startswith("/health")
    ]


def codes(operation: dict[str, Any]) -> set[str]:
    return set(operation["responses"])


def missing(operations: list[Operation], status: str, keep: Any) -> list[str]:
    """`METHOD path` of the operations that `keep` selects and that do not declare `status`."""
    return [
        f"{method.upper()} {path}"
        for path, method, operation in operations
        if keep(path, method) and status not in codes(operation)
    ]


async def test_the_document_lists_exactly_the_routes_of_the_api(openapi: dict[str, Any]) -> None:
    listed = {
        (path, method)
        for path, item in openapi["paths"].items()
        for method in item
        if method in METHODS
    }

    assert listed == OPERATIONS


async def test_every_non_public_operation_declares_401(operations: list[Operation]) -> None:
    assert missing(operations, "401", lambda path, method: (path, method) not in PUBLIC) == []


async def test_guarded_operations_declare_403(operations: list[Operation]) -> None:
    assert missing(operations, "403", lambda path, method: (path, method) in GUARDED) == []


async def test_operations_with_an_id_in_the_path_declare_404(
    operations: list[Operation],
) -> None:
    assert missing(operations, "404", lambda path, method: "{" in path) == []


async def test_write_operations_declare_400(operations: list[Operation]) -> None:
    assert missing(operations, "400", lambda path, method: method in WRITE_METHODS) == []


async def test_every_declared_error_is_a_problem_document(operations: list[Operation]) -> None:
    """Only `application/problem+json`, and with the Problem schema: no framework default."""
    not_problems = [
        f"{method.upper()} {path} {status}: {response.get('content')}"
        for path, method, operation in operations
        for status, response in operation["responses"].items()
        if not status.startswith("2")
        and (
            set(response.get("content", {})) != {PROBLEM_MEDIA_TYPE}
            or response["content"][PROBLEM_MEDIA_TYPE].get("schema", {}).get("$ref") != PROBLEM_REF
        )
    ]

    assert not_problems == []


async def test_problem_schema_has_the_rfc_9457_members(openapi: dict[str, Any]) -> None:
    problem = openapi["components"]["schemas"]["Problem"]

    assert {"type", "title", "status", "detail", "errors", "conflicts"} <= set(
        problem["properties"]
    )
    assert {"type", "title", "status", "detail"} <= set(problem["required"])


@pytest.mark.parametrize(("route", "status"), SUCCESS.items())
async def test_success_status_codes(
    openapi: dict[str, Any], route: tuple[str, str], status: str
) -> None:
    path, method = route
    declared = {code for code in openapi["paths"][path][method]["responses"] if code[0] == "2"}

    assert declared == {status}


async def test_protected_operations_require_the_bearer_token(operations: list[Operation]) -> None:
    unprotected = [
        f"{method.upper()} {path}"
        for path, method, operation in operations
        if (path, method) not in PUBLIC and operation.get("security") != SECURITY
    ]

    assert unprotected == []


async def test_public_operations_require_no_token(openapi: dict[str, Any]) -> None:
    secured = [
        f"{method.upper()} {path}"
        for path, method in PUBLIC
        if openapi["paths"][path][method].get("security")
    ]

    assert secured == []
    assert not openapi.get("security")
