"""What operators and browsers rely on: request ids, request logs, security headers, CORS,
declared body content types and the Swagger UI served without internet access."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import swagger_ui_bundle
from dependency_injector import providers
from litestar.testing import AsyncTestClient

from campus_booking.adapters.logs import RequestIdFilter, configure_logging
from campus_booking.container import Container
from campus_booking.main import app_on
from tests.e2e.actors import Actors, at, book, create_room, fix_clock
from tests.e2e.conftest import PASSWORD, SignedIn, assert_problem, auth, register

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'"
)
APP_ORIGIN = "https://app.uni.example"
EVIL_ORIGIN = "https://evil.example"
ALLOW_ORIGIN = "access-control-allow-origin"
REGISTRATION = json.dumps(
    {"email": "ana@uni.example", "password": PASSWORD, "full_name": "Ana Student"}
).encode()
SWAGGER_FILES = Path(swagger_ui_bundle.swagger_ui_path)

# (method, path, status): one of each kind of answer, routed or not.
ANSWERS = [
    ("GET", "/health", 200),
    ("GET", "/no/such/path", 404),
    ("GET", "/auth/me", 401),
    ("DELETE", "/health", 405),
    ("GET", "/docs", 200),
]


@asynccontextmanager
async def client_with(
    container: Container, **overrides: Any
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of an app built on the test settings with `overrides` replaced."""
    settings = dataclasses.replace(container.settings(), **overrides)
    container.settings.override(providers.Object(settings))
    async with AsyncTestClient(app=app_on(container)) as client:
        yield client


class BrokenProbe:
    async def ping(self) -> bool:
        raise RuntimeError("the probe broke")


@pytest.fixture
def broken_probe(container: Container) -> None:
    """GET /health/ready fails with an unexpected error; the container fixture undoes this."""
    container.database_probe.override(providers.Object(BrokenProbe()))


def header_set(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",")}


# --- X-Request-ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
async def test_every_response_carries_a_generated_request_id(
    client: AsyncTestClient[Any], method: str, path: str, status: int
) -> None:
    first = await client.request(method, path)
    second = await client.request(method, path)

    assert first.status_code == second.status_code == status
    assert GENERATED_ID.fullmatch(first.headers["x-request-id"])
    assert GENERATED_ID.fullmatch(second.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_rejected_body_and_a_server_error_carry_a_request_id_too(
    client: AsyncTestClient[Any], broken_probe: None
) -> None:
    unsupported = await client.post(
        "/auth/register", content=REGISTRATION, headers={"Content-Type": "text/plain"}
    )
    broken = await client.get("/health/ready")

    assert unsupported.status_code == 415
    assert broken.status_code == 500
    assert GENERATED_ID.fullmatch(unsupported.headers["x-request-id"])
    assert GENERATED_ID.fullmatch(broken.headers["x-request-id"])


@pytest.mark.parametrize("request_id", ["abc-123", "Req.1_A", "a" * 64, "0"])
async def test_a_safe_caller_request_id_is_echoed(
    client: AsyncTestClient[Any], request_id: str
) -> None:
    for path in ("/health", "/no/such/path", "/auth/me"):
        response = await client.get(path, headers={"X-Request-ID": request_id})

        assert response.headers["x-request-id"] == request_id


@pytest.mark.parametrize(
    "request_id",
    [
        "has space",
        "line\nbreak",
        "crlf\r\nX-Injected: 1",
        "a" * 65,
        "a" * 200,
        "",
        "semi;colon",
        "<script>",
        'quote"d',
        "ünïcode".encode(),
    ],
    ids=lambda value: repr(value)[:20],
)
async def test_an_unsafe_caller_request_id_is_replaced(
    client: AsyncTestClient[Any], request_id: str | bytes
) -> None:
    response = await client.get("/health", headers={"X-Request-ID": request_id})

    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


# --- the request log ------------------------------------------------------------------------


@pytest.fixture
def request_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog at INFO for the request logger, its handler stamping request ids as in production."""
    caplog.set_level(logging.INFO, logger="campus_booking.requests")
    stamp = RequestIdFilter()
    caplog.handler.addFilter(stamp)
    yield caplog
    caplog.handler.removeFilter(stamp)


def records_of(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == logger]


@pytest.mark.parametrize(("method", "path", "status"), ANSWERS)
async def test_each_request_is_logged_once_with_what_its_response_says(
    client: AsyncTestClient[Any],
    request_log: pytest.LogCaptureFixture,
    method: str,
    path: str,
    status: int,
) -> None:
    await client.get("/health")  # a request before, whose line is not the one looked for
    request_log.clear()

    response = await client.request(method, path)

    [record] = records_of(request_log, "campus_booking.requests")
    assert response.status_code == status
    assert record.levelno == logging.INFO
    assert record.getMessage() == f"{method} {path} {status}"
    assert record.__dict__["method"] == method
    assert record.__dict__["path"] == path
    assert record.__dict__["status"] == status
    assert record.__dict__["request_id"] == response.headers["x-request-id"]
    duration = record.__dict__["duration_ms"]
    assert isinstance(duration, float)
    assert 0 <= duration < 30_000


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging replaces the root handlers: put back pytest's afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_a_path_with_an_encoded_line_break_cannot_forge_a_text_log_line(
    client: AsyncTestClient[Any], capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    forged = "2030-01-01 08:00:00,000 INFO campus_booking.requests [-] GET /admin/users 200"
    configure_logging(json=False)  # here: capsys captures the test's stderr, not setup's

    response = await client.get("/x%0a" + forged.replace(" ", "%20"))

    lines = [line for line in capsys.readouterr().err.splitlines() if " GET /" in line]
    assert response.status_code == 404
    assert len(lines) == 1, lines
    assert lines[0].endswith(f" GET /x\\n{forged} 404"), lines


async def test_the_log_line_carries_the_callers_request_id(
    client: AsyncTestClient[Any], request_log: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/no/such/path", headers={"X-Request-ID": "from-the-proxy.7"})

    [record] = records_of(request_log, "campus_booking.requests")
    assert response.headers["x-request-id"] == "from-the-proxy.7"
    assert record.__dict__["request_id"] == "from-the-proxy.7"
    assert record.__dict__["status"] == 404


async def test_a_server_error_is_logged_with_the_id_its_response_carries(
    client: AsyncTestClient[Any], broken_probe: None, request_log: pytest.LogCaptureFixture
) -> None:
    response = await client.get("/health/ready")

    request_id = response.headers["x-request-id"]
    [logged] = records_of(request_log, "campus_booking.requests")
    [error] = [r for r in request_log.records if r.levelno == logging.ERROR]
    assert_problem(response, 500)
    assert logged.__dict__["status"] == 500
    assert logged.__dict__["request_id"] == request_id
    assert error.__dict__["request_id"] == request_id
    assert error.exc_info is not None
    assert str(error.exc_info[1]) == "the probe broke"


# --- security headers -----------------------------------------------------------------------


def assert_common_security_headers(response: Any) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize(("method", "path", "status"), [a for a in ANSWERS if a[1] != "/docs"])
async def test_api_responses_carry_the_strict_policy_and_are_not_cached(
    client: AsyncTestClient[Any], method: str, path: str, status: int
) -> None:
    response = await client.request(method, path)

    assert response.status_code == status
    assert_common_security_headers(response)
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers


async def test_a_signed_in_users_data_is_not_cached(
    client: AsyncTestClient[Any], student: SignedIn
) -> None:
    response = await client.get("/auth/me", headers=auth(student.token))

    assert response.status_code == 200
    assert response.json()["email"] == student.email
    assert_common_security_headers(response)
    assert response.headers["content-security-policy"] == API_CSP
    assert response.headers["cache-control"] == "no-store"


async def test_the_docs_page_has_the_docs_policy(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/docs")

    assert response.status_code == 200
    assert_common_security_headers(response)
    assert response.headers["content-security-policy"] == DOCS_CSP
    assert response.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in response.headers


async def test_swagger_assets_have_the_docs_policy_and_may_be_cached(
    client: AsyncTestClient[Any],
) -> None:
    response = await client.get("/docs/assets/swagger-ui.css")

    assert response.status_code == 200
    assert_common_security_headers(response)
    assert response.headers["content-security-policy"] == DOCS_CSP
    assert header_set(response.headers["cache-control"]) == {"public", "max-age=86400"}


@pytest.mark.parametrize("path", ["/health", "/no/such/path", "/auth/me", "/docs"])
async def test_hsts_is_sent_with_the_configured_max_age(container: Container, path: str) -> None:
    async with client_with(container, hsts_seconds=31_536_000) as client:
        response = await client.get(path)

    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


# --- CORS -----------------------------------------------------------------------------------


def preflight(origin: str, headers: str = "authorization") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": headers,
    }


async def test_without_configured_origins_no_origin_is_allowed(
    client: AsyncTestClient[Any],
) -> None:
    answered = await client.options("/auth/me", headers=preflight(EVIL_ORIGIN))
    read = await client.get("/health", headers={"Origin": EVIL_ORIGIN})

    assert ALLOW_ORIGIN not in answered.headers
    assert "access-control-allow-headers" not in answered.headers
    assert read.status_code == 200
    assert ALLOW_ORIGIN not in read.headers


async def test_a_configured_origin_passes_the_preflight(container: Container) -> None:
    async with client_with(container, cors_origins=(APP_ORIGIN,)) as client:
        response = await client.options(
            "/bookings", headers=preflight(APP_ORIGIN, "authorization, content-type, x-request-id")
        )

    assert response.status_code == 204
    assert response.headers[ALLOW_ORIGIN] == APP_ORIGIN
    assert header_set(response.headers["access-control-allow-methods"]) == {
        "get",
        "post",
        "patch",
        "delete",
    }
    assert header_set(response.headers["access-control-allow-headers"]) >= {
        "authorization",
        "content-type",
        "x-request-id",
    }
    assert response.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in response.headers


async def test_a_configured_origin_may_read_responses_and_their_request_id(
    container: Container,
) -> None:
    async with client_with(container, cors_origins=(APP_ORIGIN,)) as client:
        response = await client.get("/health", headers={"Origin": APP_ORIGIN})

    assert response.status_code == 200
    assert response.headers[ALLOW_ORIGIN] == APP_ORIGIN
    assert header_set(response.headers["access-control-expose-headers"]) == {
        "x-request-id",
        "retry-after",
    }
    assert "access-control-allow-credentials" not in response.headers


async def test_another_origin_is_refused_when_origins_are_configured(
    container: Container,
) -> None:
    async with client_with(container, cors_origins=(APP_ORIGIN,)) as client:
        answered = await client.options("/auth/me", headers=preflight(EVIL_ORIGIN))
        read = await client.get("/health", headers={"Origin": EVIL_ORIGIN})
        lookalike = await client.get("/health", headers={"Origin": f"{APP_ORIGIN}.evil.example"})

    assert answered.status_code == 400
    assert ALLOW_ORIGIN not in answered.headers
    assert read.status_code == 200
    assert ALLOW_ORIGIN not in read.headers
    assert ALLOW_ORIGIN not in lookalike.headers


# --- declared body content types ------------------------------------------------------------


async def test_json_sent_as_text_plain_is_refused_and_creates_nothing(
    client: AsyncTestClient[Any],
) -> None:
    refused = await client.post(
        "/auth/register", content=REGISTRATION, headers={"Content-Type": "text/plain"}
    )

    body = assert_problem(refused, 415)
    assert body["detail"] == "Send the body as `application/json`, not `text/plain`."
    login = await client.post(
        "/auth/login", data={"username": "ana@uni.example", "password": PASSWORD}
    )
    assert_problem(login, 401)
    assert (await register(client, "ana@uni.example")).status_code == 201


@pytest.mark.parametrize(
    ("content_type", "named"),
    [
        ("text/plain; charset=utf-8", "text/plain"),
        ("application/x-www-form-urlencoded", "application/x-www-form-urlencoded"),
        ("multipart/form-data; boundary=x", "multipart/form-data"),
        ("application/jsonx", "application/jsonx"),
        ("text/json", "text/json"),
        ("", "no content type"),
    ],
)
async def test_a_json_route_refuses_other_content_types(
    client: AsyncTestClient[Any], content_type: str, named: str
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}

    response = await client.post("/auth/register", content=REGISTRATION, headers=headers)

    body = assert_problem(response, 415)
    assert body["detail"] == f"Send the body as `application/json`, not `{named}`."
    assert (await register(client, "ana@uni.example")).status_code == 201


async def asgi_post(
    app: Any, path: str, body: bytes, headers: list[tuple[bytes, bytes]], http_version: str
) -> tuple[int, bytes]:
    """One POST straight to the ASGI app, as an HTTP/2 or HTTP/3 server may hand it over:
    the body in two messages and no length header (neither protocol needs one)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": http_version,
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }
    half = len(body) // 2
    messages = [
        {"type": "http.request", "body": body[:half], "more_body": True},
        {"type": "http.request", "body": body[half:], "more_body": False},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


@pytest.mark.parametrize("http_version", ["1.1", "2", "3"])
async def test_a_body_without_a_content_type_is_refused_whatever_the_http_version(
    client: AsyncTestClient[Any], http_version: str
) -> None:
    """Over h2c a body with neither Content-Type nor Content-Length was parsed as JSON."""
    status, body = await asgi_post(client.app, "/auth/register", REGISTRATION, [], http_version)

    assert status == 415, body
    assert json.loads(body)["detail"] == (
        "Send the body as `application/json`, not `no content type`."
    )
    assert (await register(client, "ana@uni.example")).status_code == 201  # nothing was made


@pytest.mark.parametrize("http_version", ["1.1", "2", "3"])
async def test_a_json_body_without_a_length_is_accepted_whatever_the_http_version(
    client: AsyncTestClient[Any], http_version: str
) -> None:
    """The control: the body is read as it was, first message included."""
    json_type = [(b"content-type", b"application/json")]

    status, body = await asgi_post(
        client.app, "/auth/register", REGISTRATION, json_type, http_version
    )

    assert status == 201, body
    assert json.loads(body)["email"] == "ana@uni.example"


async def test_json_sent_to_the_login_form_is_refused(client: AsyncTestClient[Any]) -> None:
    assert (await register(client, "ana@uni.example")).status_code == 201

    response = await client.post(
        "/auth/login", json={"username": "ana@uni.example", "password": PASSWORD}
    )

    body = assert_problem(response, 415)
    assert body["detail"] == (
        "Send the body as `application/x-www-form-urlencoded`, not `application/json`."
    )


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/vnd.api+json"],
)
async def test_json_content_types_are_accepted_on_a_json_route(
    client: AsyncTestClient[Any], content_type: str
) -> None:
    response = await client.post(
        "/auth/register", content=REGISTRATION, headers={"Content-Type": content_type}
    )

    assert response.status_code == 201, response.text
    assert response.json()["email"] == "ana@uni.example"


@pytest.fixture
def actors(client: AsyncTestClient[Any], container: Container) -> Actors:
    return Actors(client, container, fix_clock(container))


async def test_an_approval_needs_no_body_but_a_body_must_be_json(
    client: AsyncTestClient[Any], actors: Actors
) -> None:
    staff, student = await actors.staff(), await actors.student()
    room = await create_room(client, staff, "Approval Room", requires_approval=True)
    booking = await book(client, student, room["id"], at(9), at(10))
    assert booking["status"] == "PENDING"
    approve = f"/bookings/{booking['id']}/approve"

    refused = await client.post(
        approve,
        content=b'{"reason": "fine"}',
        headers={**staff.headers, "Content-Type": "text/plain"},
    )
    assert_problem(refused, 415)
    still = await client.get(f"/bookings/{booking['id']}", headers=student.headers)
    assert still.json()["status"] == "PENDING"

    approved = await client.post(approve, headers=staff.headers)

    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "APPROVED"
    assert approved.json()["decision_reason"] is None


# --- Swagger UI without internet ------------------------------------------------------------


class Links(HTMLParser):
    """Every src and href of a page, by tag."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [(tag, value) for name, value in attrs if name in {"src", "href"} and value]


CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
}


async def test_the_docs_page_loads_only_local_assets(client: AsyncTestClient[Any]) -> None:
    page = await client.get("/docs")
    links = Links()
    links.feed(page.text)

    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    urls = {url for _, url in links.found}
    assert urls == {
        "/docs/assets/favicon-32x32.png",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui-standalone-preset.js",
    }
    assert {tag for tag, _ in links.found} == {"link", "script"}
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page.text, re.IGNORECASE)
    for url in sorted(urls):
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"] == CONTENT_TYPES[Path(url).suffix], url
        assert asset.content == (SWAGGER_FILES / Path(url).name).read_bytes(), url


async def test_an_unknown_asset_is_a_404(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/docs/assets/no-such-file.js")

    assert_problem(response, 404)
    assert response.headers["content-security-policy"] == DOCS_CSP
