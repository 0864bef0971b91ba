"""Input exactly as the OpenAPI document describes it, checked in one place before any handler.

Litestar converts what it decodes leniently (msgspec's `strict=False`): `"4"` would be a count,
`0` false, `"true"` true, an epoch number a datetime. Here a JSON body is decoded strictly into
the type the route reads, and each query parameter must be written as its schema says:
integers in digits, booleans `true` or `false`, datetimes RFC 3339 with an offset, UUIDs in
their hyphenated form, enums one of their values. Any other value is a 400 naming the field.
"""

from __future__ import annotations

import enum
import re
import types
import typing
import unicodedata
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Annotated, Any, get_args, get_origin
from uuid import UUID

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, QueryParameter
from litestar.utils.scope.state import ScopeState

from campus_booking.adapters.http.docs import DOCS_PATH
from campus_booking.application.idempotency import KEY_PATTERN

BOM = b"\xef\xbb\xbf"
_INTEGER = re.compile(r"-?[0-9]+")
_BOOLEAN = frozenset({"true", "false"})
# RFC 3339 `date-time` (section 5.6): the offset is required; `T` and `Z` in either case.
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_AT = re.compile(r" - at `\$\.?(.*)`$")
_PATH_PART = re.compile(r"[^.\[\]]+")
_LAST_INDEX = re.compile(r"\[[0-9]+\]$")


def _class_ranges(codes: list[int]) -> str:
    """Code points as the ranges of a regular expression class, escaped as `\\uXXXX`."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "".join(
        f"\\u{start:04x}" if start == end else f"\\u{start:04x}-\\u{end:04x}"
        for start, end in ranges
    )


def _basic_plane(keep: Callable[[str], bool]) -> str:
    """The characters of the Basic Multilingual Plane that `keep` holds, as a class's ranges."""
    return _class_ranges([code for code in range(0x10000) if keep(chr(code))])


def _invisible(char: str) -> bool:
    """A control or invisible formatting character (Unicode Cc, Cf)."""
    return unicodedata.category(char) in ("Cc", "Cf")


# Written out rather than `\s`, which means other characters in JavaScript than in Python:
# the white space the domain trims and collapses (`str.split`), control characters among it.
_WHITE_SPACE = _basic_plane(str.isspace)
_INVISIBLE = _basic_plane(lambda char: _invisible(char) and not char.isspace())
# Free text (titles, searches): no control or invisible character but white space, which the
# domain collapses. Clients and fuzzers see it in the schema; the domain checks the same,
# beyond this plane too.
PRINTABLE_TEXT = f"^[^{_INVISIBLE}]*$"
# Names and buildings: printable text with a visible character, as they must not be blank.
FILLED_TEXT = f"^[{_WHITE_SPACE}]*[^{_WHITE_SPACE}{_INVISIBLE}][^{_INVISIBLE}]*$"
# A booking decision's reason: lines of text. White space around it is trimmed; within it, a
# line break is the only control character. Approving takes a blank one (no reason) as well.
_REASON_CHAR = _basic_plane(lambda char: char == "\n" or not _invisible(char))
_REASON_EDGE = _basic_plane(lambda char: not char.isspace() and not _invisible(char))
_REASON = f"[{_REASON_EDGE}](?:[{_REASON_CHAR}]*[{_REASON_EDGE}])?"
REASON_TEXT = f"^[{_WHITE_SPACE}]*{_REASON}[{_WHITE_SPACE}]*$"
OPTIONAL_REASON_TEXT = f"^[{_WHITE_SPACE}]*(?:{_REASON})?[{_WHITE_SPACE}]*$"
# A room's feature tag, before the domain trims and lower-cases it.
FEATURE_TAG = f"^[{_WHITE_SPACE}]*[A-Za-z0-9][A-Za-z0-9_-]*[{_WHITE_SPACE}]*$"
# A local wall-clock time, and one that may also be the end of the day.
WALL_TIME = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
CLOSING_TIME = "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"
# What a person is told instead of msgspec's "Expected `str` matching regex '...'".
PATTERN_REASONS = {
    PRINTABLE_TEXT: "must not contain control or invisible formatting characters",
    FILLED_TEXT: "must not be blank, nor contain control or invisible formatting characters",
    REASON_TEXT: "must not be blank, nor contain control characters but line breaks, "
    "nor invisible ones",
    OPTIONAL_REASON_TEXT: "must not contain control characters but line breaks, nor invisible ones",
    WALL_TIME: "must be a time of day from 00:00 to 23:59 (HH:MM)",
    CLOSING_TIME: "must be a time of day from 00:00 to 24:00 (HH:MM)",
    FEATURE_TAG: "must be a tag of letters, digits, '-' or '_', starting with a letter or digit",
    KEY_PATTERN: "must be visible ASCII characters only (no spaces)",
}
EMAIL_FORMAT = {"extra": {"format": "email"}}  # Litestar's key for schema fields of a Meta


def string_items(*, min_length: int, max_length: int, pattern: str) -> dict[str, Any]:
    """A list's `extra_json_schema` stating its strings' constraints, which Litestar omits."""
    items = {"type": "string", "minLength": min_length, "maxLength": max_length}
    return {"extra": {"items": {**items, "pattern": pattern}}}


async def check_input(request: Request[Any, Any, Any]) -> None:
    """Litestar's `before_request` hook: refuses malformed input before it is converted."""
    handler = request.route_handler
    errors = _query_errors(request, handler)
    if errors:
        raise _invalid(errors)
    await _decode_body(request, handler)


# --- the body -----------------------------------------------------------------------------


async def _decode_body(request: Request[Any, Any, Any], handler: HTTPRouteHandler) -> None:
    field = handler.parsed_data_field
    if field is None:
        return
    definition = field.kwarg_definition
    media_type = (
        definition.media_type if isinstance(definition, BodyKwarg) else RequestEncodingType.JSON
    )
    body = await request.body()
    if not body:
        if not (field.is_optional or field.has_default):
            raise _invalid([_error("body", _body_required(RequestEncodingType(media_type)))])
        return
    if media_type != RequestEncodingType.JSON:
        return
    if body.startswith(BOM):
        raise _invalid(
            [_error("body", "the body starts with a UTF-8 byte order mark (BOM); send it without")]
        )
    try:
        value = msgspec.json.decode(body, type=field.annotation, strict=True)
    except msgspec.ValidationError as error:
        raise _invalid([_body_error(field.annotation, str(error))]) from error
    except msgspec.DecodeError as error:
        raise _invalid([_error("body", f"the body is not valid JSON: {error}")]) from error
    # Litestar's own decoding and conversion take the value as it is from here on.
    ScopeState.from_scope(request.scope).json = value


def _body_required(media_type: RequestEncodingType) -> str:
    if media_type == RequestEncodingType.JSON:
        return "a JSON body is required (Content-Type: application/json)"
    return f"a body is required (Content-Type: {media_type.value})"


def _body_error(annotation: Any, message: str) -> dict[str, str]:
    """msgspec says `Expected `int`, got `str` - at `$.attendees``: the field, and the reason."""
    located = _AT.search(message)
    path = located.group(1) if located else ""
    reason = message[: located.start()] if located else message
    if reason.startswith("Invalid enum value"):
        allowed = _allowed_values(annotation, _PATH_PART.findall(path))
        if allowed:
            reason = f"{reason}; expected one of: {', '.join(allowed)}"
    # `features`, not `features[0]`: the field as the schema and the domain's errors name it;
    # an item of a list of objects keeps its index (`weekly[2].closes`), as the domain's do.
    return _error(_LAST_INDEX.sub("", path) or "body", reason)


def _allowed_values(annotation: Any, path: list[str]) -> list[str]:
    """The values of the enum found at `path` (field names and list indexes) in `annotation`."""
    node: msgspec.inspect.Type = msgspec.inspect.type_info(annotation)
    for part in [*path, None]:
        while isinstance(node, msgspec.inspect.UnionType | msgspec.inspect.Metadata):
            if isinstance(node, msgspec.inspect.Metadata):
                node = node.type
            else:
                node = next(
                    (t for t in node.types if not isinstance(t, msgspec.inspect.NoneType)), node
                )
                if isinstance(node, msgspec.inspect.UnionType):
                    return []
        if part is None:
            break
        if isinstance(node, msgspec.inspect.StructType):
            found = next((f.type for f in node.fields if f.encode_name == part), None)
            if found is None:
                return []
            node = found
        elif isinstance(node, msgspec.inspect.ListType):
            node = node.item_type
        else:
            return []
    if isinstance(node, msgspec.inspect.EnumType):
        return [str(member.value) for member in node.cls]
    return []


# --- query parameters ---------------------------------------------------------------------


def _query_errors(
    request: Request[Any, Any, Any], handler: HTTPRouteHandler
) -> list[dict[str, str]]:
    query = request.query_params
    parameters = _query_parameters(handler)
    errors = []
    if not request.url.path.startswith(DOCS_PATH):  # Swagger UI's pages take its own
        known = {name for name, _ in parameters}
        errors = [
            _error(name, "is not a query parameter of this operation")
            for name in dict.fromkeys(query.keys())
            if name not in known
        ]
    for name, kind in parameters:
        for value in query.getall(name, []):
            reason = _query_value_error(kind, value)
            if reason:
                errors.append(_error(name, reason))
                break
    return errors


@cache
def _query_parameters(handler: HTTPRouteHandler) -> tuple[tuple[str, Any], ...]:
    """Each query parameter's name on the wire, and the type of each of its values."""
    found = []
    for field_name, parameter in handler.parsed_fn_signature.parameters.items():
        definition = parameter.kwarg_definition
        if isinstance(definition, QueryParameter):
            found.append((definition.name or field_name, _value_type(parameter.annotation)))
    return tuple(found)


def _value_type(annotation: Any) -> Any:
    """`int` of `Annotated[int | None, ...]`; `Role` of `list[Role] | None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        elif origin in (list, tuple, set, frozenset):
            annotation = get_args(annotation)[0]
        else:
            return annotation


def _query_value_error(kind: Any, value: str) -> str | None:
    if kind is bool:
        return None if value in _BOOLEAN else "must be `true` or `false`"
    if kind is int:
        return None if _INTEGER.fullmatch(value) else "must be an integer, written in digits"
    if kind is datetime:
        if _DATETIME.fullmatch(value):
            return None
        hint = "; send `+` as `%2B`" if " " in value else ""
        return "must be an RFC 3339 date-time with an offset, such as 2026-03-02T09:00:00Z" + hint
    if kind is UUID:
        example = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
        return None if _UUID.fullmatch(value) else f"must be a UUID, such as {example}"
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        allowed = [str(member.value) for member in kind]
        return None if value in allowed else f"must be one of: {', '.join(allowed)}"
    return None


# --- errors -------------------------------------------------------------------------------


def _error(field: str, message: str) -> dict[str, str]:
    return {"key": field, "message": message}


def _invalid(errors: list[dict[str, str]]) -> ValidationException:
    return ValidationException(detail="The request is invalid.", extra=errors)
