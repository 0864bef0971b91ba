"""The live OpenAPI document, as the tools that read it see it: a validator, a linter, a client.

- `openapi-spec-validator` finds it valid OpenAPI 3.1;
- Redocly's linter (`redocly.yaml`: its strict recommended rules) reports nothing at all;
- `openapi-python-client` generates a client without a warning, and that client registers,
  signs in, books a room and lists the booking, in process against the app.

Redocly runs on Node.js from `tools/node` (`make node-tools`, which `make test` runs first);
without it these tests skip, and in CI they fail.
"""

from __future__ import annotations

import copy
import importlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from uuid import UUID

import httpx
import pytest
from litestar.testing import AsyncTestClient
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from tests.conftest import in_ci
from tests.e2e.conftest import PASSWORD, SignedIn

ROOT = Path(__file__).parents[2]
REDOCLY = ROOT / "tools" / "node" / "node_modules" / ".bin" / "redocly"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"
CLIENT_PACKAGE = "campus_booking_generated_client"


@pytest.fixture
async def openapi(client: AsyncTestClient[Any]) -> dict[str, Any]:
    response = await client.get("/docs/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def document(openapi: dict[str, Any], tmp_path: Path) -> Path:
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(openapi))
    return path


def test_the_validator_refuses_a_broken_document() -> None:
    """The validator used below can fail: an operation without responses is not OpenAPI."""
    broken = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"get": {"responses": {"200": {"content": []}}}}},
    }

    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_document_is_valid_openapi_3_1(openapi: dict[str, Any]) -> None:
    validate(openapi)


# --- Redocly -----------------------------------------------------------------------------------


def _lint(path: Path) -> dict[str, Any]:
    if not REDOCLY.exists():
        message = f"{REDOCLY} is missing: run `make node-tools`"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(
        [str(REDOCLY), "lint", str(path), "--config", str(ROOT / "redocly.yaml"), "--format=json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=path.parent,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def _problems(report: dict[str, Any]) -> list[str]:
    return [
        f"{problem['ruleId']} at {problem['location'][0]['pointer']}: {problem['message']}"
        for problem in report["problems"]
    ]


def test_redocly_reports_nothing(document: Path) -> None:
    report = _lint(document)

    assert _problems(report) == []
    assert report["totals"] == {"errors": 0, "warnings": 0, "ignored": 0}


def test_redocly_reports_a_duplicate_operation_id(openapi: dict[str, Any], tmp_path: Path) -> None:
    """The linter is live: a second operation with an existing operationId is an error."""
    spoiled = copy.deepcopy(openapi)
    spoiled["paths"]["/rooms"]["get"]["operationId"] = "create_room"
    path = tmp_path / "spoiled.json"
    path.write_text(json.dumps(spoiled))

    report = _lint(path)

    assert report["totals"]["errors"] >= 1
    assert any("operation-operationId-unique" in problem for problem in _problems(report))


# --- a generated client ------------------------------------------------------------------------


@pytest.fixture
def generated_client(document: Path, tmp_path: Path) -> Iterator[ModuleType]:
    config = tmp_path / "generator.yaml"
    config.write_text("post_hooks: []\n")  # no formatting: the code is run, not read
    done = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(document),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / CLIENT_PACKAGE),
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(CLIENT_PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == CLIENT_PACKAGE]:
            del sys.modules[name]
        shutil.rmtree(tmp_path / CLIENT_PACKAGE, ignore_errors=True)


async def test_a_generated_client_registers_signs_in_books_and_lists(
    generated_client: ModuleType, client: AsyncTestClient[Any], admin: SignedIn
) -> None:
    api = importlib.import_module(f"{CLIENT_PACKAGE}.api")
    models = importlib.import_module(f"{CLIENT_PACKAGE}.models")
    for group in ("auth", "rooms", "bookings"):
        importlib.import_module(f"{api.__name__}.{group}")
    auth, rooms, bookings = api.auth, api.rooms, api.bookings
    for module in ("register", "login"):
        importlib.import_module(f"{auth.__name__}.{module}")
    importlib.import_module(f"{rooms.__name__}.create_room")
    for module in ("create_booking", "list_bookings"):
        importlib.import_module(f"{bookings.__name__}.{module}")

    def connect(token: str | None = None) -> Any:
        options = {
            "base_url": "http://testserver.local",
            "httpx_args": {"transport": httpx.ASGITransport(app=client.app)},
        }
        if token is None:
            return generated_client.Client(**options)
        return generated_client.AuthenticatedClient(token=token, **options)

    anonymous = connect()
    user = await auth.register.asyncio(
        client=anonymous,
        body=models.RegisterRequest(
            email="cli@uni.example", password=PASSWORD, full_name="Client Student"
        ),
    )
    assert isinstance(user, models.UserOut), user
    token = await auth.login.asyncio(
        client=anonymous, body=models.LoginForm(username="cli@uni.example", password=PASSWORD)
    )
    assert isinstance(token, models.TokenOut), token
    room = await rooms.create_room.asyncio(
        client=connect(admin.token),
        body=models.RoomIn(name="Client Lab", building="Main", capacity=12),
    )
    assert isinstance(room, models.RoomOut), room

    student = connect(token.access_token)
    starts_at = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    booked = await bookings.create_booking.asyncio(
        client=student,
        body=models.BookingIn(
            room_id=room.id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            title="Study group",
            attendees=3,
        ),
    )
    assert isinstance(booked, models.BookingOut), booked
    assert booked.status == models.BookingStatus.APPROVED
    page = await bookings.list_bookings.asyncio(client=student)

    assert isinstance(page, models.BookingPage), page
    assert [(b.id, b.requester_id, b.starts_at) for b in page.items] == [
        (booked.id, UUID(str(user.id)), starts_at)
    ]
    assert page.total == 1
