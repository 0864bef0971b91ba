"""The container's providers as Litestar dependencies, each checked against the handlers.

Litestar can neither read dependency-injector's markers nor take a provider as a dependency,
so every provider that builds a class becomes a plain function of the provider's name, which
calls the provider per request: overriding a provider in a test reaches the real HTTP path.
The names come from the container, and both ends are checked when the app is made: Litestar
refuses a handler that asks for a dependency nobody provides, and `ContainerDependencies` one
that expects another type than the provider of that name builds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from dependency_injector import providers as di
from litestar import Request
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.exceptions import ImproperlyConfiguredException
from litestar.plugins import InitPluginProtocol, ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

from campus_booking.adapters.http.client_address import client_address
from campus_booking.application.auth import GetCurrentUser
from campus_booking.domain.users import User
from campus_booking.settings import Settings


class AppContainer(Protocol):
    """What the HTTP adapter needs of the composition root (container.py), which sits above it."""

    @property
    def providers(self) -> Mapping[str, di.Provider[Any]]: ...

    @property
    def settings(self) -> Callable[[], Settings]: ...

    @property
    def get_current_user(self) -> Callable[[], GetCurrentUser]: ...


class ContainerDependencies(InitPluginProtocol, ReceiveRoutePlugin):
    """Adds the dependencies to the app, and refuses a route whose handler mistypes one."""

    def __init__(self, container: AppContainer) -> None:
        self._container = container
        self._builds = {
            name: provider.cls
            for name, provider in container.providers.items()
            if isinstance(provider, di.Factory | di.BaseSingleton)
            and isinstance(provider.cls, type)
        }

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        providers = self._container.providers
        app_config.dependencies.update(
            {
                "current_user": Provide(provide_current_user, sync_to_thread=False),
                "client_address": Provide(
                    client_address_from(self._container.settings), sync_to_thread=False
                ),
                **{
                    name: Provide(_calling(name, providers[name]), sync_to_thread=False)
                    for name in self._builds
                },
            }
        )
        return app_config

    def receive_route(self, route: BaseRoute) -> None:
        handlers = route.route_handlers if isinstance(route, HTTPRoute) else []  # all HTTP here
        for handler in handlers:
            for name, parameter in handler.parsed_fn_signature.parameters.items():
                built = self._builds.get(name)
                if built is not None:
                    _check(f"{handler.handler_name}({name})", built, parameter.annotation)


def _check(asker: str, built: type, expected: Any) -> None:
    try:
        fits = issubclass(built, expected)
    except TypeError as error:  # not a class, or a port that is not @runtime_checkable
        raise ImproperlyConfiguredException(
            f"{asker} expects {expected!r}, which cannot be checked against {built!r}: "
            "annotate it with a class or a @runtime_checkable port"
        ) from error
    if not fits:
        raise ImproperlyConfiguredException(
            f"{asker} expects {expected!r}, but the container's provider of that name "
            f"builds {built!r}"
        )


def _calling(name: str, provider: di.Provider[Any]) -> Callable[[], Any]:
    def provide() -> Any:
        return provider()

    provide.__name__ = f"provide_{name}"
    return provide


def provide_current_user(request: Request[User, Any, Any]) -> User:
    """The user the authentication middleware loaded for this request."""
    return request.user


def client_address_from(
    settings: Callable[[], Settings],
) -> Callable[[Request[Any, Any, Any]], str]:
    def provide_client_address(request: Request[Any, Any, Any]) -> str:
        """Where the request comes from, for throttling: see `client_address`."""
        peer = request.client.host if request.client else None
        forwarded = request.headers.getall("x-forwarded-for", [])
        return client_address(peer, forwarded, settings().trusted_proxies)

    return provide_client_address
