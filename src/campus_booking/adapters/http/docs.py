"""Swagger UI at `/docs`, served from the packaged copy so it works without internet access."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components
from litestar.static_files import create_static_files_router

from campus_booking.adapters.http.openapi import JsonDocument, SwaggerDocument, operation_id
from campus_booking.adapters.http.security import PUBLIC

DOCS_PATH = "/docs"
ASSETS_PATH = f"{DOCS_PATH}/assets"
SWAGGER_UI_FILES = Path(swagger_ui_bundle.swagger_ui_path)


def openapi_config(components: Components) -> OpenAPIConfig:
    swagger = SwaggerDocument(
        path="/",
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )
    return OpenAPIConfig(
        title="Campus Booking",
        version="0.1.0",
        description="Book university rooms: accounts, rooms, bookings and approvals.",
        path=DOCS_PATH,
        render_plugins=[swagger, JsonDocument(path="/openapi.json")],
        components=components,
        operation_id_creator=operation_id,
    )


def swagger_assets() -> Router:
    """The UI's JavaScript, CSS and icons; versioned by the package, so browsers may cache them."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI_FILES],
        name="swagger-assets",
        opt=PUBLIC,
        cache_control=CacheControlHeader(public=True, max_age=86_400),
    )
