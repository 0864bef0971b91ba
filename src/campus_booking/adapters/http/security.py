"""Who is calling: bearer-token authentication, and guards built from the permissions table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.openapi.spec import Components, OAuthFlow, OAuthFlows, SecurityScheme
from litestar.types import ASGIApp

from campus_booking.adapters.http.scope_headers import header
from campus_booking.application.auth import GetCurrentUser
from campus_booking.domain.errors import AuthenticationFailed, PermissionDenied
from campus_booking.domain.permissions import Capability, check_may, refusal
from campus_booking.domain.users import User

SCHEME_NAME = "OAuth2PasswordBearer"
SECURITY_COMPONENTS = Components(
    security_schemes={
        SCHEME_NAME: SecurityScheme(
            type="oauth2",
            description="Sign in with your email as `username`.",
            flows=OAuthFlows(
                password=OAuthFlow(token_url="/auth/login", scopes={}),  # noqa: S106 (a path)
            ),
        )
    }
)
BEARER: list[dict[str, list[str]]] = [{SCHEME_NAME: []}]
PUBLIC = {"exclude_from_auth": True}


class BearerTokenMiddleware(AbstractAuthenticationMiddleware):
    """Loads the user named by `Authorization: Bearer <token>` for every request that needs one.

    Only the header counts: a token in the query string or a cookie is ignored.
    """

    def __init__(
        self, app: ASGIApp, *, get_current_user: Callable[[], GetCurrentUser], **options: Any
    ) -> None:
        super().__init__(app, **options)
        self._get_current_user = get_current_user

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        scheme, _, token = (header(connection.scope, b"authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("Send an access token as `Authorization: Bearer <token>`.")
        user = await self._get_current_user()(token.strip())
        return AuthenticationResult(user=user, auth=token)


def require(
    capability: Capability,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard that lets through only users holding `capability`, as its use-case checks."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":
            return  # unauthenticated by design: it only lists the methods a path has
        user = connection.scope.get("user")
        if not isinstance(user, User):
            raise PermissionDenied(refusal(capability))
        check_may(user, capability)

    return guard
