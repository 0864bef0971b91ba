"""The OpenAPI document as clients and linters read it: names, strict bodies, public routes.

Litestar builds most of the document from the handlers; what it cannot say is added here:
- a body struct that refuses unknown fields says `additionalProperties: false`;
- a generic struct is named after what it holds (`BookingPage`, not
  `PageOut_campus_booking.adapters.http.bookings.BookingOut_`);
- operationIds are the handlers' names (`approve_booking`, not
  `BookingsBookingIdApproveApproveBooking`), which generated clients use as function names;
- routes that need no token say `security: []`, a body the handler may go without is not
  `required`, a route may give its body an example that depends on the day
  (`opt={REQUEST_EXAMPLE: f}` with `f(today) -> Example`), and links from what it creates
  to the operations that take its id (`opt={RESPONSE_LINKS: links_to(...)}`), which
  clients and stateful testers (Schemathesis) follow.

The document changes only with the code and, for dated examples, with the UTC day: every
worker serves the same bytes on the same day, however often it restarts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Example, Reference, Schema
from litestar.params import KwargDefinition
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar._openapi.schema_generation import SchemaCreator
    from litestar.handlers import HTTPRouteHandler
    from litestar.types import Method
    from litestar.types.internal_types import PathParameterDefinition

REQUEST_EXAMPLE = "openapi_request_example"
"""Key in a handler's `opt`: a function of today's UTC date giving its body's example."""

DatedExample = Callable[[date], Example]

RESPONSE_LINKS = "openapi_response_links"
"""Key in a handler's `opt`: OpenAPI links from its success response to other operations."""


def links_to(parameter: str, *operation_ids: str) -> dict[str, dict[str, Any]]:
    """Links from a created resource to the operations that take its `id` as `parameter`."""
    return {
        "".join(word.title() for word in operation_id.split("_")): {
            "operationId": operation_id,
            "parameters": {parameter: "$response.body#/id"},
        }
        for operation_id in operation_ids
    }


class ApiStructSchemaPlugin(StructSchemaPlugin):
    """msgspec structs, as Litestar describes them, plus strictness and readable names."""

    def to_openapi_schema(  # type: ignore[override]  # Litestar's caller takes a Reference too
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema | Reference:
        name = _generic_name(field_definition)
        if name is not None:
            field_definition = FieldDefinition.from_annotation(
                field_definition.annotation,
                name=field_definition.name,
                kwarg_definition=KwargDefinition(schema_component_key=name),
            )
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if field_definition.type_.__struct_config__.forbid_unknown_fields:
            schema.additional_properties = False
        if name is None:
            return schema
        # Litestar looks the component up under the type's own key, which finds nothing for
        # the renamed one: refer to it here, or it would be inlined wherever it is used.
        schema.title = name
        return (
            schema_creator.schema_registry.get_reference_for_field_definition(field_definition)
            or schema
        )


def _generic_name(field_definition: FieldDefinition) -> str | None:
    """`PageOut[BookingOut]` -> `BookingPage`: the parameters, then the generic, without `Out`."""
    if not field_definition.inner_types or not issubclass(field_definition.type_, msgspec.Struct):
        return None
    parts = [*(inner.type_ for inner in field_definition.inner_types), field_definition.type_]
    return "".join(getattr(part, "__name__", "").removesuffix("Out") for part in parts)


def operation_id(
    handler: HTTPRouteHandler, method: Method, path_components: list[str | PathParameterDefinition]
) -> str:
    """The handler's own name: unique here, and what a generated client calls the function."""
    return handler.handler_name


def finished(app: Litestar, document: dict[str, Any], today: date) -> dict[str, Any]:
    """The document Litestar built, with what it cannot express (see the module docstring)."""
    document = copy.deepcopy(document)
    for path, method, handler in _operations(app):
        operation = document["paths"].get(path, {}).get(method)
        if operation is None:
            continue
        if handler.opt.get("exclude_from_auth"):
            operation["security"] = []
        body = operation.get("requestBody")
        data_field = handler.parsed_data_field
        if body is not None and data_field is not None and data_field.is_optional:
            body["required"] = False
        links = handler.opt.get(RESPONSE_LINKS)
        if links:
            (success,) = (code for code in operation["responses"] if code.startswith("2"))
            operation["responses"][success]["links"] = links
        dated: DatedExample | None = handler.opt.get(REQUEST_EXAMPLE)
        if body is not None and dated is not None:
            example = dated(today)
            for media in body["content"].values():
                media["examples"] = {"example": example.to_schema()}
    return document


def _operations(app: Litestar) -> list[tuple[str, str, HTTPRouteHandler]]:
    return [
        (route.path_format or "/", method.lower(), handler)
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for method, (handler, _) in route.route_handler_map.items()
        if handler.resolve_include_in_schema()
    ]


class _Finishing:
    """A render plugin mixin: renders the finished document, made once per UTC day."""

    _cache: tuple[int, date, dict[str, Any]] | None = None

    def finish(self, request: Request[Any, Any, Any], document: dict[str, Any]) -> dict[str, Any]:
        today = datetime.now(UTC).date()
        cached = self._cache
        if cached is None or cached[0] != id(document) or cached[1] != today:
            cached = (id(document), today, finished(request.app, document, today))
            self._cache = cached
        return cached[2]


class JsonDocument(_Finishing, JsonRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self.finish(request, openapi_schema))


class SwaggerDocument(_Finishing, SwaggerRenderPlugin):
    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return super().render(request, self.finish(request, openapi_schema))
