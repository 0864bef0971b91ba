"""Bridge from the dependency-injector container to Litestar's dependency injection.

Litestar cannot read dependency-injector's markers, so each container provider is exposed as
a plain Litestar dependency of the same name, resolved per request from the container kept in
the app state. Overriding a provider in a test therefore reaches the real HTTP path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from campus_booking.adapters.http.client_address import client_address
from campus_booking.domain.users import User

USE_CASES = (
    "register_user",
    "authenticate",
    "sign_out_everywhere",
    "change_password",
    "database_probe",
    "list_rooms",
    "get_room",
    "create_room",
    "update_room",
    "deactivate_room",
    "create_booking",
    "change_booking",
    "cancel_booking",
    "decide_booking",
    "get_booking",
    "list_bookings",
    "list_users",
    "change_user",
    "list_audit_entries",
)


def _from_container(name: str) -> Callable[[State], Any]:
    def provide(state: State) -> Any:
        return getattr(state.container, name)()

    provide.__name__ = f"provide_{name}"
    return provide


def provide_current_user(request: Request[User, Any, Any]) -> User:
    """The user the authentication middleware loaded for this request."""
    return request.user


def provide_client_address(request: Request[Any, Any, Any]) -> str:
    """Where the request comes from, for throttling: see `client_address`."""
    trusted = request.app.state.container.settings().trusted_proxies
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.getall("x-forwarded-for", []), trusted)


DEPENDENCIES = {
    "current_user": Provide(provide_current_user, sync_to_thread=False),
    "client_address": Provide(provide_client_address, sync_to_thread=False),
    **{name: Provide(_from_container(name), sync_to_thread=False) for name in USE_CASES},
}
