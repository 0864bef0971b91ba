"""Who may call which route: one table for the matrix tests and for README's "Who may do what".

The matrix tests are generated from `TABLE`, a test keeps `TABLE` equal to the routes in the
OpenAPI document, and another keeps README's table equal to `render_markdown()`;
tests/unit/application/test_permissions.py holds each route's use-case to it, role by role.
To update the README after changing the table, run `python -m tests.e2e.security.permissions`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from campus_booking.domain.users import Role

ANONYMOUS = "anonymous"
ACTORS: tuple[str, ...] = (ANONYMOUS, Role.STUDENT, Role.STAFF, Role.ADMIN)

EVERYONE = frozenset(ACTORS)
SIGNED_IN = frozenset({Role.STUDENT, Role.STAFF, Role.ADMIN})
MANAGERS = frozenset({Role.STAFF, Role.ADMIN})
ADMINS = frozenset({Role.ADMIN})

OWN_ONLY = "own only; others get 404"
OWN_IDS = "booking ids of own bookings only"
EVERY_ID = "every booking's id"
OWN_FEED = "own feeds only; another's gets 404"
TOKEN_IS_KEY = "the feed's token is its key"


@dataclass(frozen=True)
class Rule:
    method: str
    path: str
    allowed: frozenset[str]
    notes: dict[str, str] = field(default_factory=dict)
    """What an allowed actor gets, where it differs from the plain route."""

    @property
    def route(self) -> str:
        return f"{self.method} {self.path}"

    def refusal(self, actor: str) -> int:
        """The status a refused actor gets: 401 for nobody signed in, 403 for the wrong role."""
        return 401 if actor == ANONYMOUS else 403

    def cell(self, actor: str) -> str:
        if actor not in self.allowed:
            return str(self.refusal(actor))
        note = self.notes.get(actor)
        return f"✓ ({note})" if note else "✓"


TABLE: tuple[Rule, ...] = (
    Rule("POST", "/auth/register", EVERYONE),
    Rule("POST", "/auth/login", EVERYONE),
    Rule("GET", "/auth/me", SIGNED_IN),
    Rule("POST", "/auth/logout", SIGNED_IN),
    Rule("POST", "/auth/password", SIGNED_IN),
    Rule(
        "GET",
        "/rooms",
        SIGNED_IN,
        {Role.STUDENT: "active rooms only; `include_inactive=true`: 403"},
    ),
    Rule("GET", "/rooms/{room_id}", SIGNED_IN),
    Rule("POST", "/rooms", MANAGERS),
    Rule("PATCH", "/rooms/{room_id}", MANAGERS),
    Rule("DELETE", "/rooms/{room_id}", ADMINS, {Role.ADMIN: "deactivates"}),
    Rule("GET", "/rooms/{room_id}/opening-hours", SIGNED_IN),
    Rule("PUT", "/rooms/{room_id}/opening-hours", MANAGERS),
    Rule(
        "GET",
        "/rooms/{room_id}/availability",
        SIGNED_IN,
        {Role.STUDENT: OWN_IDS, Role.STAFF: EVERY_ID, Role.ADMIN: EVERY_ID},
    ),
    Rule("GET", "/availability", SIGNED_IN),
    Rule("GET", "/rooms/free", SIGNED_IN),
    Rule(
        "POST",
        "/bookings",
        SIGNED_IN,
        {
            Role.STUDENT: "PENDING where approval is needed",
            Role.STAFF: "APPROVED",
            Role.ADMIN: "APPROVED",
        },
    ),
    Rule(
        "GET",
        "/bookings",
        SIGNED_IN,
        {Role.STUDENT: "own only", Role.STAFF: "all", Role.ADMIN: "all"},
    ),
    Rule("GET", "/bookings/{booking_id}", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("PATCH", "/bookings/{booking_id}", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("POST", "/bookings/{booking_id}/cancel", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("POST", "/bookings/{booking_id}/approve", MANAGERS),
    Rule("POST", "/bookings/{booking_id}/reject", MANAGERS),
    Rule(
        "POST",
        "/booking-series",
        SIGNED_IN,
        {Role.STUDENT: "PENDING where approval is needed"},
    ),
    Rule("POST", "/booking-series/preview", SIGNED_IN),
    Rule(
        "GET",
        "/booking-series",
        SIGNED_IN,
        {Role.STUDENT: "own only", Role.STAFF: "all", Role.ADMIN: "all"},
    ),
    Rule("GET", "/booking-series/{series_id}", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("PATCH", "/booking-series/{series_id}", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("POST", "/booking-series/{series_id}/cancel", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("POST", "/booking-series/{series_id}/occurrences", SIGNED_IN, {Role.STUDENT: OWN_ONLY}),
    Rule("POST", "/booking-series/{series_id}/approve", MANAGERS),
    Rule("POST", "/booking-series/{series_id}/reject", MANAGERS),
    Rule("POST", "/calendar/feeds", SIGNED_IN),
    Rule("GET", "/calendar/feeds", SIGNED_IN, dict.fromkeys(SIGNED_IN, "own only")),
    Rule("DELETE", "/calendar/feeds/{feed}", SIGNED_IN, dict.fromkeys(SIGNED_IN, OWN_FEED)),
    Rule("GET", "/calendar/feeds/{feed}", EVERYONE, {ANONYMOUS: TOKEN_IS_KEY}),
    Rule("POST", "/closures", MANAGERS),
    Rule("GET", "/closures", SIGNED_IN),
    Rule("GET", "/closures/{closure_id}", SIGNED_IN),
    Rule("DELETE", "/closures/{closure_id}", MANAGERS),
    Rule("POST", "/bookings/check", SIGNED_IN),
    Rule("GET", "/booking-policies", SIGNED_IN),
    Rule("GET", "/booking-policies/{policy_id}", SIGNED_IN),
    Rule("POST", "/booking-policies", MANAGERS),
    Rule("PUT", "/booking-policies/{policy_id}", MANAGERS),
    Rule("DELETE", "/booking-policies/{policy_id}", MANAGERS),
    Rule("GET", "/admin/users", ADMINS),
    Rule("PATCH", "/admin/users/{user_id}", ADMINS),
    Rule("GET", "/admin/audit", ADMINS),
    Rule("GET", "/health", EVERYONE),
    Rule("GET", "/health/ready", EVERYONE),
)


def render_markdown() -> str:
    """The table as README shows it: one row per route, one column per actor."""
    header = ["Route", *(str(actor) for actor in ACTORS)]
    lines = [_row(header), _row(["---"] * len(header))]
    lines += [_row([f"`{rule.route}`", *(rule.cell(a) for a in ACTORS)]) for rule in TABLE]
    return "\n".join(lines) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    print(render_markdown(), end="")
