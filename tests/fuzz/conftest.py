"""A seeded world per role for fuzzing: a fresh database, a signed-in user, rooms and bookings.

Everything is made over real HTTP (plus `set_role` for the higher roles), in an event loop of
its own that ends with the app's shutdown, which shuts the container's resources down; the
fuzzed app, a second one on the same container, then opens fresh connections in the loop
Schemathesis runs it in.

Every case sent is counted, and a passing fuzz test must have sent its whole budget, so that
the suite cannot pass having fuzzed nothing.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import create_app
from campus_booking.container import Container
from campus_booking.domain.users import Role
from campus_booking.main import app_on
from campus_booking.settings import Settings
from tests.conftest import test_settings
from tests.e2e.conftest import auth, login, register, set_role

ANONYMOUS = "anonymous"
ROLES = (ANONYMOUS, Role.STUDENT.value, Role.STAFF.value, Role.ADMIN.value)

# Reproducible in CI: a fixed seed, derandomized Hypothesis, no example database to replay.
SEED = 20300101
MAX_EXAMPLES = 50
# Fuzz dictionaries: values at the edges of what Python, SQLite and PostgreSQL can represent,
# which random generation rarely reaches, mixed into a share of the generated cases.
EDGE_INSTANTS = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:30:00+01:00",
    "0001-01-02T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "9999-12-31T23:59:59.999999Z",
    "9999-12-31T23:00:00-05:00",
]
EDGE_INTEGERS = [-1, 0, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64]
# What a schema-valid request may still be refused for, beyond the statuses Schemathesis expects
# (2xx, 401, 403, 404, 409, 429): rules no JSON Schema can state.
BEYOND_THE_SCHEMA = {
    # A password may hold at most 72 bytes in UTF-8 (bcrypt's limit), while a schema's
    # `maxLength` counts characters: 72 characters of which one is not ASCII are refused (400).
    "POST /auth/register": ["400"],
    # The current password is checked against the account, not described by the schema; the
    # new one has the byte limit above.
    "POST /auth/password": ["400"],
    # A slot must end after it starts and last at most 24 hours (400), and keep the rules:
    # the room's capacity, the past, the policy or campus limits (422).
    "POST /bookings": ["400", "422"],
    "PATCH /bookings/{booking_id}": ["400", "422"],
    # The same body as POST /bookings: a slot ending before it starts is still malformed; the
    # rules it breaks are answered in the 200.
    "POST /bookings/check": ["400"],
    # A limit range no schema can state (the shortest booking not longer than the longest).
    "POST /booking-policies": ["400"],
    "PUT /booking-policies/{policy_id}": ["400"],
    # Rooms may only name a policy that exists and a time zone the time zone database knows
    # (400 naming `policy_id` or `time_zone`).
    "POST /rooms": ["400"],
    "PATCH /rooms/{room_id}": ["400"],
    # `from`/`to` must be instants a database can store: 0001-01-01T00:30:00+01:00 is a valid
    # date-time but falls before year 1 in UTC.
    "GET /bookings": ["400"],
    "GET /admin/audit": ["400"],
    # A window must close after it opens, and the windows of a day must not overlap, nor a
    # date come twice: rules across items, which a schema cannot state (400).
    "PUT /rooms/{room_id}/opening-hours": ["400"],
    "GET /closures": ["400"],
    # A closure must end after it starts (400) and after now (422); a room named may not exist
    # (404, expected already), and active bookings may be in its way (409, expected already).
    "POST /closures": ["400", "422"],
    # A window must close after it opens and last at most 31 days; a grid may hold at most
    # 2,000 intervals a room and name each room once; a searched slot must end after it
    # starts, within 24 hours: bounds across parameters, which a schema cannot state (400).
    "GET /rooms/{room_id}/availability": ["400"],
    "GET /availability": ["400"],
    "GET /rooms/free": ["400"],
    # A series' rule, exdates and first occurrence must agree with one another, and its
    # zone must be known (400); each occurrence keeps a single booking's rules (422). A date
    # booked back must be one the series skipped or cancelled (400).
    "POST /booking-series": ["400", "422"],
    "POST /booking-series/preview": ["400"],
    "PATCH /booking-series/{series_id}": ["400", "422"],
    "POST /booking-series/{series_id}/occurrences": ["400", "422"],
    # An Idempotency-Key sent before with another request (422 `idempotency_key_reused`):
    # the generator repeats keys, and what it sent before under one no schema can state. The
    # writes above that take a key answer 422 already.
    "POST /bookings/{booking_id}/cancel": ["422"],
    "POST /bookings/{booking_id}/approve": ["422"],
    "POST /bookings/{booking_id}/reject": ["422"],
    "POST /booking-series/{series_id}/cancel": ["422"],
    "POST /booking-series/{series_id}/approve": ["422"],
    "POST /booking-series/{series_id}/reject": ["422"],
    # A room's feed names its room, and only a room's feed does (400 naming `room_id`).
    "POST /calendar/feeds": ["400"],
    # One path serves the feed (by token) and its revocation (by id): a DELETE of what is not
    # an id is a 400 naming `feed`, which a schema of one string parameter cannot state.
    "DELETE /calendar/feeds/{feed}": ["400"],
}
POSITIVE_EXPECTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
CONFIG = {
    "seed": SEED,
    "operations": [
        {
            "include-name": label,
            "checks": {
                "positive_data_acceptance": {"expected-statuses": POSITIVE_EXPECTED + statuses}
            },
        }
        for label, statuses in BEYOND_THE_SCHEMA.items()
    ],
    "generation": {
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "dictionaries": {"integer": {"dictionary": "edge-integers", "probability": 0.1}},
    },
    "dictionaries": {
        "edge-instants": {"values": EDGE_INSTANTS},
        "edge-integers": {"values": EDGE_INTEGERS},
    },
    "parameters": {
        f"{location}.{name}": {"dictionary": "edge-instants", "probability": 0.2}
        for location, name in [
            ("query", "from"),
            ("query", "to"),
            ("query", "starts_at"),
            ("query", "ends_at"),
            ("body", "starts_at"),
            ("body", "ends_at"),
        ]
    },
}
# Operations that take nothing but the token, which the fuzzer replaces with the role's own.
WITHOUT_INPUTS = {
    "GET /health",
    "GET /health/ready",
    "GET /auth/me",
    "POST /auth/logout",
    "GET /calendar/feeds",
}


def fuzz_settings(database_url: str) -> Settings:
    """Test settings in which the fuzzer's own wrong passwords never lock it out: it signs in
    again after it signs itself out, and a throttled sign-in would end its session for good.
    The throttle has tests of its own (unit, integration and race)."""
    unlimited = 1_000_000
    return replace(
        test_settings(database_url),
        login_failures_per_account_and_client=unlimited,
        login_failures_per_account=unlimited,
        login_failures_per_client=unlimited,
    )


def document_app() -> Litestar:
    """An app to read the live OpenAPI document from: without the entry point's lifespan it
    never opens the container's resources, nor its database."""
    unused = Path(tempfile.gettempdir()) / "campus-booking-openapi-document-only.db"
    container = Container()
    container.settings.override(providers.Object(fuzz_settings(f"sqlite+aiosqlite:///{unused}")))
    return create_app(container)


@dataclass
class World:
    """What the fuzzer knows: the app to call, who it is, and ids that exist."""

    role: str
    app: Litestar
    user_id: str | None
    token: str | None  # replaced when the fuzzer signs itself out (POST /auth/logout)
    email: str | None
    rooms: list[str]
    bookings: list[str]
    users: list[str]
    closures: list[str]
    series: list[str]
    now: datetime

    @property
    def headers(self) -> dict[str, str] | None:
        """The signed-in user's token; anonymous cases keep what Schemathesis generated."""
        return auth(self.token) if self.token else None

    @property
    def known_ids(self) -> dict[str, list[str]]:
        return {
            "room_id": self.rooms,
            "booking_id": self.bookings,
            "user_id": self.users,
            "closure_id": self.closures,
            "series_id": self.series,
        }


class Fuzzing:
    """The world being fuzzed (the generation hooks read it) and the cases sent so far."""

    world: ClassVar[World | None] = None
    sent: ClassVar[Counter[tuple[str, str]]] = Counter()
    seconds: ClassVar[float] = 0.0  # seeding included

    @classmethod
    def count(cls, world: World, label: str) -> None:
        cls.sent[(world.role, label)] += 1


@pytest.fixture(scope="module", params=ROLES)
def world(
    request: pytest.FixtureRequest, sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    role = str(request.param)
    path = tmp_path_factory.mktemp(f"fuzz-{role}") / "campus_booking.db"
    shutil.copyfile(sqlite_template, path)
    container = Container()
    container.settings.override(providers.Object(fuzz_settings(f"sqlite+aiosqlite:///{path}")))
    started = time.monotonic()
    Fuzzing.world = asyncio.run(_seed(container, role))
    yield Fuzzing.world
    Fuzzing.world = None
    Fuzzing.seconds += time.monotonic() - started
    container.reset_override()


# --- every passing fuzz test sent its whole budget ----------------------------------------

_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.stash[_CALL_REPORT] = report
    return report


@pytest.fixture(autouse=True)
def sent_the_budget(request: pytest.FixtureRequest, world: World) -> Iterator[None]:
    label = getattr(request.node, "operation_label", None)
    before = Fuzzing.sent[(world.role, label)]
    yield
    report = request.node.stash.get(_CALL_REPORT, None)
    if label is None or report is None or not report.passed:
        return  # a failure stops Hypothesis early, and is the news
    known_gaps = getattr(request.node, "known_gaps", None)
    if known_gaps:  # expected to fail (test_api_fuzz.KNOWN_GAPS), and did not
        pytest.fail(f"{label} as {world.role} passed: remove its KNOWN_GAPS entry ({known_gaps})")
    sent = Fuzzing.sent[(world.role, label)] - before
    minimum = 1 if label in WITHOUT_INPUTS else MAX_EXAMPLES
    assert sent >= minimum, f"{label} as {world.role}: {sent} cases sent, expected {minimum}+"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if Fuzzing.sent:
        roles = {role for role, _ in Fuzzing.sent}
        operations = {label for _, label in Fuzzing.sent}
        terminalreporter.write_line(
            f"fuzz: {sum(Fuzzing.sent.values())} cases sent to {len(operations)} operations "
            f"as {len(roles)} roles in {Fuzzing.seconds:.1f}s"
        )


# --- seeding --------------------------------------------------------------------------------


async def _seed(container: Container, role: str) -> World:
    now = datetime.now(UTC)
    day = (now + timedelta(days=2)).replace(hour=0, minute=0, second=0, microsecond=0)

    def booking(room_id: str, hour: int, title: str) -> dict[str, Any]:
        start = day + timedelta(hours=hour)
        return {
            "room_id": room_id,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "title": title,
            "attendees": 3,
        }

    async with AsyncTestClient(app=app_on(container)) as client:

        async def user(name: str, role: Role) -> tuple[str, str]:
            email = f"{name}@uni.example"
            response = await register(client, email, full_name=name.title())
            assert response.status_code == 201, response.text
            user_id = str(response.json()["id"])
            if role is not Role.STUDENT:
                await set_role(container, UUID(user_id), role)
            return user_id, await login(client, email)

        async def post(path: str, token: str, body: dict[str, Any] | None = None) -> str:
            response = await client.post(path, json=body, headers=auth(token))
            assert response.status_code in (200, 201), response.text
            return str(response.json()["id"])

        signed_in = {
            Role.STUDENT: await user("stu", Role.STUDENT),
            Role.STAFF: await user("sam", Role.STAFF),
            Role.ADMIN: await user("ada", Role.ADMIN),
        }
        other_id, other = await user("vic", Role.STUDENT)
        (student_id, student), (staff_id, staff), (_, admin) = signed_in.values()

        room = {"building": "Main", "capacity": 30, "features": ["projector"]}
        lab = await post("/rooms", admin, {**room, "name": "Lab 1"})
        hall = await post("/rooms", admin, {**room, "name": "Hall", "requires_approval": True})
        retired = await post("/rooms", admin, {**room, "name": "Old Lab"})
        response = await client.delete(f"/rooms/{retired}", headers=auth(admin))
        assert response.status_code == 204, response.text

        bookings = [
            await post("/bookings", student, booking(lab, 9, "Study group")),  # APPROVED
            await post("/bookings", student, booking(hall, 9, "Talk")),  # PENDING
            await post("/bookings", other, booking(hall, 11, "Rehearsal")),  # PENDING
            await post("/bookings", staff, booking(lab, 13, "Lecture")),  # APPROVED
            await post("/bookings", student, booking(lab, 15, "Called off")),
            await post("/bookings", other, booking(hall, 15, "Turned down")),
        ]
        await post(f"/bookings/{bookings[4]}/cancel", student)  # CANCELLED
        await post(f"/bookings/{bookings[5]}/reject", staff, {"reason": "Closed"})  # REJECTED
        closed = await client.post(
            "/closures",
            json={
                "room_ids": [lab, hall],
                "starts_at": (day + timedelta(days=1, hours=10)).isoformat(),
                "ends_at": (day + timedelta(days=1, hours=12)).isoformat(),
                "reason": "Cleaning",
            },
            headers=auth(staff),
        )
        assert closed.status_code == 201, closed.text
        closures = [str(item["id"]) for item in closed.json()["items"]]
        weekly = {
            **booking(hall, 17, "Seminar"),
            "recurrence": "FREQ=WEEKLY;COUNT=4",
            "on_conflict": "skip",
        }
        series = [
            await post("/booking-series", student, weekly),  # PENDING
            await post("/booking-series", other, {**weekly, "room_id": lab}),  # APPROVED
        ]

    user_id, token = signed_in[Role(role)] if role != ANONYMOUS else (None, None)
    emails = {Role.STUDENT: "stu@uni.example", Role.STAFF: "sam@uni.example"}
    email = {**emails, Role.ADMIN: "ada@uni.example"}.get(Role(role)) if token else None
    return World(
        role=role,
        app=app_on(container),
        user_id=user_id,
        token=token,
        email=email,
        rooms=[lab, hall, retired],
        bookings=bookings,
        users=[student_id, staff_id, other_id],
        closures=closures,
        series=series,
        now=now,
    )
