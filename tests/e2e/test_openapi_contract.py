"""The OpenAPI document promises what the API does: error statuses, problem bodies, security."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.problems import RULE_CODES
from campus_booking.container import Container
from campus_booking.main import app_on
from tests.e2e.conftest import SignedIn, auth

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_MEDIA_TYPE = "application/problem+json"
SECURITY = [{"OAuth2PasswordBearer": []}]
METHODS = {"get", "post", "put", "patch", "delete"}
WRITE_METHODS = {"post", "put", "patch", "delete"}
PUBLIC = {("/auth/register", "post"), ("/auth/login", "post"), ("/health", "get")} | {
    ("/health/ready", "get"),
    ("/calendar/feeds/{feed}", "get"),  # the feed's token, in the path, is its credential
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
    ("/rooms/{room_id}/opening-hours", "get"),
    ("/rooms/{room_id}/opening-hours", "put"),
    ("/rooms/{room_id}/availability", "get"),
    ("/availability", "get"),
    ("/rooms/free", "get"),
    ("/bookings", "get"),
    ("/bookings", "post"),
    ("/bookings/{booking_id}", "get"),
    ("/bookings/{booking_id}", "patch"),
    ("/bookings/{booking_id}/cancel", "post"),
    ("/bookings/{booking_id}/approve", "post"),
    ("/bookings/{booking_id}/reject", "post"),
    ("/closures", "get"),
    ("/closures", "post"),
    ("/closures/{closure_id}", "get"),
    ("/closures/{closure_id}", "delete"),
    ("/bookings/check", "post"),
    ("/booking-series", "get"),
    ("/booking-series", "post"),
    ("/booking-series/preview", "post"),
    ("/booking-series/{series_id}", "get"),
    ("/booking-series/{series_id}", "patch"),
    ("/booking-series/{series_id}/cancel", "post"),
    ("/booking-series/{series_id}/occurrences", "post"),
    ("/booking-series/{series_id}/approve", "post"),
    ("/booking-series/{series_id}/reject", "post"),
    ("/calendar/feeds", "get"),
    ("/calendar/feeds", "post"),
    ("/calendar/feeds/{feed}", "get"),
    ("/calendar/feeds/{feed}", "delete"),
    ("/booking-policies", "get"),
    ("/booking-policies", "post"),
    ("/booking-policies/{policy_id}", "get"),
    ("/booking-policies/{policy_id}", "put"),
    ("/booking-policies/{policy_id}", "delete"),
    ("/admin/users", "get"),
    ("/admin/users/{user_id}", "patch"),
    ("/admin/audit", "get"),
    ("/health", "get"),
    ("/health/ready", "get"),
}
GUARDED = {
    ("/rooms", "post"),
    ("/rooms/{room_id}/opening-hours", "put"),
    ("/rooms/{room_id}", "patch"),
    ("/rooms/{room_id}", "delete"),
    ("/admin/users", "get"),
    ("/admin/users/{user_id}", "patch"),
    ("/admin/audit", "get"),
    ("/bookings/{booking_id}/approve", "post"),
    ("/bookings/{booking_id}/reject", "post"),
    ("/booking-series/{series_id}/approve", "post"),
    ("/booking-series/{series_id}/reject", "post"),
    ("/closures", "post"),
    ("/closures/{closure_id}", "delete"),
    ("/booking-policies", "post"),
    ("/booking-policies/{policy_id}", "put"),
    ("/booking-policies/{policy_id}", "delete"),
}
SUCCESS = {
    ("/rooms", "post"): "201",
    ("/bookings", "post"): "201",
    ("/rooms/{room_id}", "delete"): "204",
    ("/closures", "post"): "201",
    ("/closures/{closure_id}", "delete"): "204",
    ("/bookings/{booking_id}/cancel", "post"): "200",
    ("/bookings/{booking_id}/approve", "post"): "200",
    ("/bookings/{booking_id}/reject", "post"): "200",
    ("/bookings/check", "post"): "200",
    ("/booking-policies", "post"): "201",
    ("/booking-policies/{policy_id}", "delete"): "204",
    ("/booking-series", "post"): "201",
    ("/booking-series/preview", "post"): "200",
    ("/booking-series/{series_id}/occurrences", "post"): "201",
    ("/booking-series/{series_id}/cancel", "post"): "200",
    ("/calendar/feeds", "post"): "201",
    ("/calendar/feeds/{feed}", "delete"): "204",
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
    """`security: []` said outright, so that no client or linter assumes a token is needed."""
    secured = [
        f"{method.upper()} {path}"
        for path, method in PUBLIC
        if openapi["paths"][path][method].get("security", "missing") != []
    ]

    assert secured == []
    assert not openapi.get("security")


# --- every status an operation can answer ---------------------------------------------------


def all_operations(openapi: dict[str, Any]) -> list[Operation]:
    """Every operation, the health probes included."""
    return [
        (path, method, operation)
        for path, item in openapi["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


async def test_401_is_declared_exactly_where_authentication_applies(
    openapi: dict[str, Any],
) -> None:
    """Secured operations refuse a missing or bad token; login refuses bad credentials."""
    declaring = {
        (path, method) for path, method, op in all_operations(openapi) if "401" in codes(op)
    }

    assert declaring == (OPERATIONS - PUBLIC) | {("/auth/login", "post")}


async def test_operations_with_a_body_declare_413_and_415(openapi: dict[str, Any]) -> None:
    with_body = [(p, m, op) for p, m, op in all_operations(openapi) if "requestBody" in op]

    assert len(with_body) == 23
    assert missing(with_body, "413", lambda path, method: True) == []
    assert missing(with_body, "415", lambda path, method: True) == []


async def test_operations_using_the_database_declare_503(openapi: dict[str, Any]) -> None:
    """Everything but the liveness probe reads the database (a token names a user in it)."""
    uses_database = lambda path, method: (path, method) != ("/health", "get")  # noqa: E731

    assert missing(all_operations(openapi), "503", uses_database) == []
    assert "503" not in codes(openapi["paths"]["/health"]["get"])


async def test_throttled_operations_declare_429(openapi: dict[str, Any]) -> None:
    throttled = {("/auth/login", "post"), ("/auth/register", "post"), ("/auth/password", "post")}

    assert missing(all_operations(openapi), "429", lambda p, m: (p, m) in throttled) == []


async def test_422_is_declared_where_rules_refuse(openapi: dict[str, Any]) -> None:
    declaring = {
        (path, method) for path, method, op in all_operations(openapi) if "422" in codes(op)
    }

    assert declaring == {
        ("/bookings", "post"),
        ("/bookings/{booking_id}", "patch"),
        ("/booking-series", "post"),  # with every occurrence a rule refuses, and why
        ("/booking-series/{series_id}", "patch"),
        ("/booking-series/{series_id}/occurrences", "post"),
        ("/closures", "post"),  # a closure that has ended already: `in_the_past`
        # and an Idempotency-Key sent before with another request, wherever one is taken
        ("/bookings/{booking_id}/cancel", "post"),
        ("/bookings/{booking_id}/approve", "post"),
        ("/bookings/{booking_id}/reject", "post"),
        ("/booking-series/{series_id}/cancel", "post"),
        ("/booking-series/{series_id}/approve", "post"),
        ("/booking-series/{series_id}/reject", "post"),
    }


async def test_the_422_response_documents_every_reason_code(openapi: dict[str, Any]) -> None:
    described = openapi["paths"]["/bookings"]["post"]["responses"]["422"]["description"]

    for code in RULE_CODES:
        assert f"`{code}`" in described
    assert len(RULE_CODES) == 13


async def test_readiness_answers_a_typed_body(openapi: dict[str, Any]) -> None:
    for path in ("/health", "/health/ready"):
        ok = openapi["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]

        assert ok["schema"] == {"$ref": "#/components/schemas/HealthOut"}


# --- request bodies ---------------------------------------------------------------------------


def body_schema_names(openapi: dict[str, Any], media_type: str) -> dict[str, str]:
    """`METHOD path` -> the component schema of its body in `media_type`."""
    names = {}
    for path, method, operation in all_operations(openapi):
        content = operation.get("requestBody", {}).get("content", {})
        if media_type in content:
            schema = content[media_type]["schema"]
            refs = [schema, *schema.get("oneOf", [])]
            ref = next(r["$ref"] for r in refs if "$ref" in r)
            names[f"{method.upper()} {path}"] = ref.rsplit("/", 1)[-1]
    return names


async def test_json_bodies_refuse_unknown_fields(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]
    bodies = body_schema_names(openapi, "application/json")
    open_bodies = {
        route: name
        for route, name in bodies.items()
        if schemas[name].get("additionalProperties") is not False
    }

    assert len(bodies) == 22
    assert open_bodies == {}


async def test_responses_stay_open_to_new_fields(openapi: dict[str, Any]) -> None:
    """Only request bodies are closed: a client must keep working when a response grows."""
    closed = [
        name
        for name, schema in openapi["components"]["schemas"].items()
        if schema.get("additionalProperties") is False and not name.endswith(("In", "Patch"))
    ]

    assert sorted(closed) == ["PasswordChange", "RegisterRequest"]


async def test_only_the_approval_bodies_and_the_series_cancel_body_are_optional(
    openapi: dict[str, Any],
) -> None:
    """An approval's reason and a series cancel's `since` may be left out, body and all."""
    optional = [
        f"{method.upper()} {path}"
        for path, method, operation in all_operations(openapi)
        if operation.get("requestBody", {"required": True}).get("required") is not True
    ]

    assert sorted(optional) == [
        "POST /booking-series/{series_id}/approve",
        "POST /booking-series/{series_id}/cancel",
        "POST /bookings/{booking_id}/approve",
    ]


# --- links, for clients and stateful testers --------------------------------------------------


@pytest.mark.parametrize(
    ("route", "parameter", "targets"),
    [
        (
            ("/bookings", "post", "201"),
            "booking_id",
            {
                "get_booking",
                "change_booking",
                "cancel_booking",
                "approve_booking",
                "reject_booking",
            },
        ),
        (("/rooms", "post", "201"), "room_id", {"get_room", "update_room", "deactivate_room"}),
        (("/auth/register", "post", "201"), "user_id", {"change_user"}),
    ],
)
async def test_created_resources_link_to_the_operations_taking_their_id(
    openapi: dict[str, Any], route: tuple[str, str, str], parameter: str, targets: set[str]
) -> None:
    path, method, status = route
    links = openapi["paths"][path][method]["responses"][status]["links"]
    ids = {op["operationId"] for _, _, op in all_operations(openapi)}
    by_id = {
        link["operationId"]: link.get("parameters", {}).get(parameter)
        for link in links.values()
        if "parameters" in link
    }

    assert by_id == dict.fromkeys(targets, "$response.body#/id")
    assert {link["operationId"] for link in links.values()} <= ids


async def test_a_new_room_links_to_booking_it(openapi: dict[str, Any]) -> None:
    links = openapi["paths"]["/rooms"]["post"]["responses"]["201"]["links"]

    assert links["BookIt"] == {
        "operationId": "create_booking",
        "requestBody": {"room_id": "$response.body#/id"},
    }


# --- names a generated client reads well --------------------------------------------------------


async def test_operation_ids_are_unique_snake_case_without_stutter(
    openapi: dict[str, Any],
) -> None:
    ids = [operation["operationId"] for _, _, operation in all_operations(openapi)]
    badly_named = [
        name
        for name in ids
        if not re.fullmatch(r"[a-z]+(_[a-z]+)*", name)
        or len(set(name.split("_"))) < len(name.split("_"))
    ]

    assert len(set(ids)) == len(ids) == len(OPERATIONS)
    assert badly_named == []
    assert openapi["paths"]["/bookings/{booking_id}/approve"]["post"]["operationId"] == (
        "approve_booking"
    )


async def test_schema_names_are_plain_identifiers(openapi: dict[str, Any]) -> None:
    names = list(openapi["components"]["schemas"])

    assert [name for name in names if not re.fullmatch(r"[A-Z][A-Za-z]+", name)] == []
    assert {"BookingPage", "RoomPage", "UserPage", "AuditEntryPage"} <= set(names)
    listed = openapi["paths"]["/bookings"]["get"]["responses"]["200"]["content"]
    assert listed["application/json"]["schema"] == {"$ref": "#/components/schemas/BookingPage"}


# --- examples: written, true, and the same in every worker ------------------------------------


async def test_every_problem_example_has_the_status_it_is_declared_under(
    operations: list[Operation],
) -> None:
    """Generated examples were random: a 401 showed `"status": 817` and a `conflicts` list."""
    wrong = [
        f"{method.upper()} {path} {status}: {example['value']}"
        for path, method, operation in operations
        for status, response in operation["responses"].items()
        if not status.startswith("2")
        for example in response["content"][PROBLEM_MEDIA_TYPE].get("examples", {}).values()
        if example["value"]["status"] != int(status)
        or ("conflicts" in example["value"]) != (status == "409")
    ]

    assert wrong == []


def _examples_in(node: Any) -> list[Any]:
    if isinstance(node, dict):
        found = [node["examples"]] if "examples" in node else []
        return found + [e for value in node.values() for e in _examples_in(value)]
    if isinstance(node, list):
        return [e for value in node for e in _examples_in(value)]
    return []


async def test_schemas_carry_only_the_examples_written_for_them(openapi: dict[str, Any]) -> None:
    """Litestar invents random examples for response schemas unless told not to: none of the
    schemas only responses use has any written."""
    schemas = openapi["components"]["schemas"]
    responses_only = [name for name in schemas if name.endswith(("Out", "Page"))] + [
        "Problem",
        "FieldError",
        "ConflictingSlot",
        "RuleViolation",
    ]

    assert len(responses_only) > 10
    with_examples = {name: _examples_in(schemas[name]) for name in responses_only}

    assert {name: found for name, found in with_examples.items() if found} == {}


def _document_of_a_fresh_process() -> dict[str, Any]:
    script = (
        "import json, sys\n"
        "from litestar.testing import TestClient\n"
        "from tests.fuzz.conftest import document_app\n"
        "with TestClient(app=document_app()) as client:\n"
        "    sys.stdout.write(client.get('/docs/openapi.json').text)\n"
    )
    root = Path(__file__).parents[2]
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, check=True
    )
    document: dict[str, Any] = json.loads(done.stdout)
    return document


async def test_the_document_is_the_same_in_another_process_and_another_app(
    openapi: dict[str, Any], container: Container
) -> None:
    async with AsyncTestClient(app=app_on(container)) as other_app:
        again = (await other_app.get("/docs/openapi.json")).json()

    assert again == openapi
    assert _document_of_a_fresh_process() == openapi


async def test_the_booking_example_is_a_valid_booking_of_tomorrow_morning(
    client: AsyncTestClient[Any], openapi: dict[str, Any], admin: SignedIn
) -> None:
    examples = openapi["paths"]["/bookings"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]
    (example,) = examples.values()
    body = example["value"]
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    room = await client.post(
        "/rooms",
        json={"name": "Seminar 1", "building": "Main", "capacity": 10},
        headers=auth(admin.token),
    )
    placeholder = body["room_id"]

    assert datetime.fromisoformat(body["starts_at"]) == datetime.combine(
        tomorrow, time(10), tzinfo=UTC
    )
    assert datetime.fromisoformat(body["ends_at"]) == datetime.combine(
        tomorrow, time(11), tzinfo=UTC
    )
    assert placeholder in example["description"]
    booked = await client.post(
        "/bookings", json={**body, "room_id": room.json()["id"]}, headers=auth(admin.token)
    )
    assert booked.status_code == 201, booked.text


# --- OPTIONS --------------------------------------------------------------------------------------


async def test_options_allows_every_method_of_the_path(
    client: AsyncTestClient[Any], openapi: dict[str, Any]
) -> None:
    some_id = "00000000-0000-4000-8000-000000000000"
    wrong = {}
    for path, item in openapi["paths"].items():
        documented = {method.upper() for method in item if method in METHODS} | {"OPTIONS"}
        url = re.sub(r"\{[a-z_]+\}", some_id, path)
        response = await client.options(url)
        allowed = set(response.headers.get("allow", "").replace(" ", "").split(","))
        if allowed != documented:
            wrong[path] = sorted(allowed)

    assert wrong == {}
