"""One error shape for the whole API: problem details (RFC 9457).

Every domain error is mapped to a status code here, and only here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from http import HTTPStatus
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.types import ExceptionHandlersMap

from campus_booking.adapters.http.strict import PATTERN_REASONS
from campus_booking.application.idempotency import KEY_REUSED, KeyInUse
from campus_booking.domain.errors import (
    AuthenticationFailed,
    BookingsInTheWay,
    Conflict,
    DomainError,
    InvalidTransition,
    InvalidValue,
    NotFound,
    Overloaded,
    PermissionDenied,
    RulesBroken,
    SlotTaken,
    TooManyAttempts,
    Unavailable,
    Violation,
)
from campus_booking.domain.series import Blocked, SeriesBlocked

log = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:campus-booking:problem:"
_NAMED_FIELD = re.compile(r"(?:unknown|missing required) field `([^`]+)`")
# How Litestar reports a client that went away while sending its body.
CLIENT_GONE = "client disconnected prematurely"
BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="campus-booking"'}
# The OAuth2 token endpoint (the password flow's `tokenUrl`): its failures also speak RFC 6749.
TOKEN_ENDPOINT = "/auth/login"  # noqa: S105 (a path)


class FieldError(msgspec.Struct):
    field: str
    message: str


class RuleViolation(msgspec.Struct, omit_defaults=True):
    """One broken rule of a 422: a stable `code` (`too_far_ahead`, ...), the field, a reason,
    and where a number was exceeded the `limit` and the `actual` value (this request counted
    in); a quota names its local `date` or ISO `week`."""

    code: str
    field: str
    message: str
    limit: int | None = None
    actual: int | str | None = None
    date: str | None = None
    week: str | None = None

    @classmethod
    def of(cls, violation: Violation) -> RuleViolation:
        details = violation.details
        return cls(
            violation.code,
            violation.field,
            violation.message,
            limit=_int_or_none(details.get("limit")),
            actual=details.get("actual"),
            date=_str_or_none(details.get("date")),
            week=_str_or_none(details.get("week")),
        )


def _int_or_none(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None


def _str_or_none(value: int | str | None) -> str | None:
    return value if isinstance(value, str) else None


class ConflictingSlot(msgspec.Struct, omit_defaults=True):
    """What is in the way, by `kind`: a booking of the room (its times, and nothing about who
    holds it), or a closure (its times and `reason`). A closure refused for bookings in its
    way names each (`booking_id`, `room_id`): only staff and admins create closures."""

    starts_at: datetime
    ends_at: datetime
    kind: Literal["booking", "closure"]
    reason: str | None = None
    booking_id: UUID | None = None
    room_id: UUID | None = None


class BlockedOccurrence(msgspec.Struct):
    """An occurrence of a series that cannot be booked: what is in its way, and every rule
    it breaks."""

    starts_at: datetime
    ends_at: datetime
    conflicts: list[ConflictingSlot]
    violations: list[RuleViolation]

    @classmethod
    def of(cls, blocked: Blocked) -> BlockedOccurrence:
        return cls(
            blocked.slot.start,
            blocked.slot.end,
            _in_the_way(blocked.conflicts, blocked.closures),
            [RuleViolation.of(v) for v in blocked.violations],
        )


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None
    conflicts: list[ConflictingSlot] | None = None
    violations: list[RuleViolation] | None = None
    occurrences: list[BlockedOccurrence] | None = None  # of a series: each one blocked


class TokenProblem(Problem, omit_defaults=True):
    """A failure of the token endpoint: a problem document that is also an OAuth2 error
    (RFC 6749, section 5.2), so that OAuth2 clients such as Swagger's Authorize dialog show why."""

    error: str | None = None
    error_description: str | None = None


_DOMAIN_STATUS: list[tuple[type[DomainError], HTTPStatus, str]] = [
    (InvalidValue, HTTPStatus.BAD_REQUEST, "validation"),
    (RulesBroken, HTTPStatus.UNPROCESSABLE_ENTITY, "rules-broken"),
    (AuthenticationFailed, HTTPStatus.UNAUTHORIZED, "unauthenticated"),
    (PermissionDenied, HTTPStatus.FORBIDDEN, "forbidden"),
    (NotFound, HTTPStatus.NOT_FOUND, "not-found"),
    (InvalidTransition, HTTPStatus.CONFLICT, "invalid-transition"),
    (KeyInUse, HTTPStatus.CONFLICT, "idempotency-key-in-use"),
    (Conflict, HTTPStatus.CONFLICT, "conflict"),
    (TooManyAttempts, HTTPStatus.TOO_MANY_REQUESTS, "too-many-attempts"),
    (Unavailable, HTTPStatus.SERVICE_UNAVAILABLE, "unavailable"),
    (Overloaded, HTTPStatus.SERVICE_UNAVAILABLE, "overloaded"),
]


def problem_response(
    status: HTTPStatus,
    detail: str,
    *,
    kind: str | None = None,
    errors: list[FieldError] | None = None,
    conflicts: list[ConflictingSlot] | None = None,
    violations: list[RuleViolation] | None = None,
    occurrences: list[BlockedOccurrence] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Problem]:
    problem = Problem(
        type=TYPE_PREFIX + (kind or status.phrase.lower().replace(" ", "-")),
        title=status.phrase,
        status=status.value,
        detail=detail,
        errors=errors,
        conflicts=conflicts,
        violations=violations,
        occurrences=occurrences,
    )
    if status is HTTPStatus.UNAUTHORIZED:
        headers = {**BEARER_CHALLENGE, **(headers or {})}
    return Response(
        problem, status_code=status.value, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def domain_error_handler(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    if isinstance(error, SeriesBlocked):
        return _series_blocked(error)
    mapped = next(
        (
            (status, kind)
            for error_type, status, kind in _DOMAIN_STATUS
            if isinstance(error, error_type)
        ),
        None,
    )
    if mapped is None:  # a DomainError subclass nobody mapped: a bug, answered as one
        return internal_error_handler(request, error)
    status, kind = mapped
    errors = (
        [FieldError(_wire_name(request, error.field), error.reason)]
        if isinstance(error, InvalidValue)
        else None
    )
    conflicts = _conflicts(error)
    violations = (
        [RuleViolation.of(v) for v in error.violations] if isinstance(error, RulesBroken) else None
    )
    headers = None
    if isinstance(error, TooManyAttempts | Unavailable | Overloaded | KeyInUse):
        headers = {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unavailable):
        log.warning("%s %s: %s", request.method, request.url.path, error.__cause__ or error)
    return problem_response(
        status,
        error.message,
        kind=kind,
        errors=errors,
        conflicts=conflicts,
        violations=violations,
        headers=headers,
    )


def _series_blocked(error: SeriesBlocked) -> Response[Problem]:
    """409 when any occurrence clashes with a booking or a closure, else 422; every blocked
    occurrence listed, and what is in the way and the rules broken gathered at the top, as
    for a single booking."""
    occurrences = [BlockedOccurrence.of(blocked) for blocked in error.blocked]
    conflicts = _in_the_way(
        sorted({times for blocked in error.blocked for times in blocked.conflicts}),
        sorted({closure for blocked in error.blocked for closure in blocked.closures}),
    )
    violations = [v for o in occurrences for v in o.violations]
    if error.clashes:
        return problem_response(
            HTTPStatus.CONFLICT,
            error.message,
            kind="conflict",
            conflicts=conflicts,
            violations=violations or None,
            occurrences=occurrences,
        )
    return problem_response(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        error.message,
        kind="rules-broken",
        violations=violations,
        occurrences=occurrences,
    )


def _conflicts(error: DomainError) -> list[ConflictingSlot] | None:
    if isinstance(error, BookingsInTheWay):
        return [
            ConflictingSlot(
                b.starts_at, b.ends_at, "booking", booking_id=b.booking_id, room_id=b.room_id
            )
            for b in error.bookings
        ]
    if not isinstance(error, SlotTaken):
        return None
    return _in_the_way(error.conflicts, error.closures)


def _in_the_way(
    bookings: Sequence[tuple[datetime, datetime]],
    closures: Sequence[tuple[datetime, datetime, str]],
) -> list[ConflictingSlot]:
    """Bookings by their times alone, closures with their reason, by start."""
    clashes = [ConflictingSlot(start, end, "booking") for start, end in bookings]
    clashes += [
        ConflictingSlot(start, end, "closure", reason=reason) for start, end, reason in closures
    ]
    return sorted(clashes, key=lambda clash: (clash.starts_at, clash.kind))


def http_error_handler(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    """Litestar's own errors (validation, 404 routes, 405, 413, ...) in the same shape."""
    status = HTTPStatus(error.status_code)
    if error.detail == CLIENT_GONE:
        # Nobody is left to answer: a broken connection, not a fault of ours.
        log.info("client disconnected during %s %s", request.method, request.url.path)
        return problem_response(HTTPStatus.BAD_REQUEST, "The client disconnected.")
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return internal_error_handler(request, error)
    if isinstance(error, ValidationException):
        return problem_response(
            status,
            "The request is invalid; see `errors`.",
            kind="validation",
            errors=_field_errors(request, error.extra) or _missing(error.detail),
        )
    detail = error.detail if error.detail and error.detail != status.phrase else status.description
    if status is HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        detail = _too_large(request)
    return problem_response(status, detail, headers=error.headers)


def _too_large(request: Request[Any, Any, Any]) -> str:
    handler = request.scope.get("route_handler")
    limit = getattr(handler, "resolve_request_max_body_size", lambda: None)()
    if not limit:
        return "The body is too large."
    return f"The body is larger than the limit of {limit} bytes ({limit / 1024:g} KiB)."


def internal_error_handler(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side; it has been logged."
    )


def too_deep_handler(request: Request[Any, Any, Any], error: RecursionError) -> Response[Problem]:
    """msgspec gives up on JSON nested thousands deep with a RecursionError: the client's doing."""
    return problem_response(
        HTTPStatus.BAD_REQUEST,
        "The body is nested too deeply.",
        kind="validation",
        errors=[FieldError(field="body", message="nested too deeply")],
    )


def _field_errors(request: Request[Any, Any, Any], extra: Any) -> list[FieldError]:
    """Litestar reports `{key, message, source}` per field; msgspec names the path in `message`."""
    if not isinstance(extra, list):
        return []
    errors = []
    for item in extra:
        if isinstance(item, dict):
            message = _readable(str(item.get("message")))
            named = _NAMED_FIELD.search(message)
            field = named.group(1) if named else _wire_name(request, item.get("key"))
            errors.append(FieldError(field=field, message=message))
    return errors


_MISSING = re.compile(r"^Missing required \w+ parameter '([^']+)'")


def _missing(detail: str) -> list[FieldError]:
    """Litestar names a missing required parameter in its detail alone."""
    named = _MISSING.match(detail or "")
    return [FieldError(field=named.group(1), message="is required")] if named else []


def _readable(message: str) -> str:
    """msgspec names a broken pattern by the whole regular expression: say what it means."""
    if message.startswith("Expected `str` matching regex"):
        return next((r for p, r in PATTERN_REASONS.items() if repr(p) in message), message)
    return message


def _wire_name(request: Request[Any, Any, Any], key: Any) -> str:
    """The name the client sent (`from`), not the handler's argument (`since`).

    Domain errors name a filter's field (`text`); the handler's argument of that name says
    which query parameter it came from (`q`).
    """
    if not key:
        return "body"
    handler = request.scope.get("route_handler")
    parameter = handler.parsed_fn_signature.parameters.get(key) if handler else None
    definition = parameter.kwarg_definition if parameter else None
    return str(getattr(definition, "name", None) or key)


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI declarations of the error statuses a route can answer, all as problem details.

    Each carries one written example, never generated ones: Litestar would otherwise invent
    them at random per process, and every worker would serve a different document.
    """
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS.get(status, HTTPStatus(status).phrase),
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,
            examples=[Example(summary=_EXAMPLES[status][0], value=_EXAMPLES[status][1])],
        )
        for status in statuses
    }


RULE_CODES: dict[str, str] = {
    "in_the_past": "`starts_at` has passed",
    "room_inactive": "the room is no longer in use",
    "over_capacity": "more `attendees` than the room holds (`limit`: its capacity)",
    "outside_opening_hours": "not entirely within the room's opening hours",
    "too_short": "shorter than the policy's `min_duration_minutes`",
    "too_long": "longer than the policy's `max_duration_minutes` (or the campus maximum)",
    "off_grid": "a start or end off the policy's `slot_minutes` grid of the local hour",
    "too_soon": "starts within the policy's `min_notice_minutes`",
    "too_far_ahead": "ends beyond the policy's `max_advance_days` (or the campus horizon)",
    "daily_quota": "the requester's minutes on that local `date` under the policy would "
    "exceed `max_minutes_per_day`",
    "weekly_quota": "the requester's minutes in that ISO `week` under the policy would "
    "exceed `max_minutes_per_week`",
    "active_bookings_limit": "the requester already holds `max_active_bookings` upcoming "
    "bookings under the policy (or the campus limit for students)",
    KEY_REUSED: "the `Idempotency-Key` was sent before with a different request",
}
_DESCRIPTIONS = {
    422: "Unprocessable Content: the request is well-formed but breaks rules, every one of "
    "them listed in `violations` as `{code, field, message}` with `limit` and `actual` (this "
    "request counted in) where a number was exceeded. Codes: "
    + "; ".join(f"`{code}`: {meaning}" for code, meaning in RULE_CODES.items())
    + ". Staff and admins may send `override_policy: true` to skip the policy's rules and "
    "opening hours (never the room's own rules, closures or other bookings).",
}


def _oauth2_error(problem: Problem) -> str:
    if any(error.field == "grant_type" for error in problem.errors or ()):
        return "unsupported_grant_type"
    if problem.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.TOO_MANY_REQUESTS):
        return "invalid_grant"  # the credentials were refused, or may not be tried now
    if problem.status == HTTPStatus.SERVICE_UNAVAILABLE:
        return "temporarily_unavailable"
    if problem.status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return "server_error"
    return "invalid_request"


def _description(text: str) -> str:
    """RFC 6749 allows printable ASCII but for `"` and `\\` in an `error_description`."""
    text = text.replace('"', "'").replace("\\", "/")
    return "".join(char if " " <= char <= "~" else "?" for char in text)


def _as_token_error(
    handler: Callable[[Request[Any, Any, Any], Any], Response[Problem]],
) -> Callable[[Request[Any, Any, Any], Any], Response[Problem]]:
    """`handler`, answering the token endpoint's failures as OAuth2 errors too."""

    def handle(request: Request[Any, Any, Any], error: Any) -> Response[Problem]:
        response = handler(request, error)
        problem = response.content
        if request.url.path != TOKEN_ENDPOINT or not isinstance(problem, Problem):
            return response
        code = _oauth2_error(problem)
        errors = "; ".join(f"{e.field}: {e.message}" for e in problem.errors or ())
        if code == "unsupported_grant_type":
            errors = "grant_type must be `password`, the only grant this endpoint supports"
        response.content = TokenProblem(
            **msgspec.structs.asdict(problem),
            error=code,
            error_description=_description(errors or problem.detail),
        )
        return response

    return handle


def _example(status: HTTPStatus, kind: str, detail: str, **extra: Any) -> tuple[str, Any]:
    value = {
        "type": TYPE_PREFIX + kind,
        "title": status.phrase,
        "status": status.value,
        "detail": detail,
    }
    return kind, {**value, **extra}


_EXAMPLES: dict[int, tuple[str, Any]] = {
    400: _example(
        HTTPStatus.BAD_REQUEST,
        "validation",
        "The request is invalid; see `errors`.",
        errors=[{"field": "title", "message": "Expected `str` of length >= 1"}],
    ),
    401: _example(HTTPStatus.UNAUTHORIZED, "unauthenticated", "Invalid credentials."),
    403: _example(HTTPStatus.FORBIDDEN, "forbidden", "This needs one of the roles: admin, staff."),
    404: _example(HTTPStatus.NOT_FOUND, "not-found", "Booking not found."),
    409: _example(
        HTTPStatus.CONFLICT,
        "conflict",
        "The room is already booked at that time.",
        conflicts=[
            {
                "starts_at": "2030-01-07T10:00:00Z",
                "ends_at": "2030-01-07T11:00:00Z",
                "kind": "booking",
            }
        ],
    ),
    413: _example(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "request-entity-too-large",
        "Entity is too large",
    ),
    415: _example(
        HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        "Send the body as `application/json`, not `text/plain`.",
    ),
    422: _example(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "rules-broken",
        "The request breaks one or more rules; see `violations`.",
        violations=[
            {
                "code": "too_far_ahead",
                "field": "ends_at",
                "message": "a booking must end within 365 days from now",
                "limit": 365,
                "actual": 400,
            },
            {
                "code": "daily_quota",
                "field": "starts_at",
                "message": "at most 120 minutes a day under this policy; 2030-01-07 would have 180",
                "limit": 120,
                "actual": 180,
                "date": "2030-01-07",
            },
        ],
    ),
    429: _example(
        HTTPStatus.TOO_MANY_REQUESTS,
        "too-many-attempts",
        "Too many failed sign-in attempts; try again later.",
    ),
    503: _example(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "unavailable",
        "The database is not answering; try again shortly.",
    ),
}


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: _as_token_error(domain_error_handler),
    HTTPException: _as_token_error(http_error_handler),
    RecursionError: _as_token_error(too_deep_handler),
    Exception: _as_token_error(internal_error_handler),
}
