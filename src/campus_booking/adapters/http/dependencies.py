"""Bridge from the dependency-injector container to Litestar's dependency injection.

Litestar cannot read dependency-injector's markers, so each use-case gets a plain provider
function; overriding a provider on the container in a test reaches the real HTTP path.
"""

from __future__ import annotations

from litestar.datastructures import State
from litestar.di import Provide

from campus_booking.application.auth import Authenticate, GetCurrentUser, RegisterUser
from campus_booking.application.ports import DatabaseProbe


def provide_register_user(state: State) -> RegisterUser:
    return state.container.register_user()  # type: ignore[no-any-return]


def provide_authenticate(state: State) -> Authenticate:
    return state.container.authenticate()  # type: ignore[no-any-return]


def provide_get_current_user(state: State) -> GetCurrentUser:
    return state.container.get_current_user()  # type: ignore[no-any-return]


def provide_database_probe(state: State) -> DatabaseProbe:
    return state.container.database_probe()  # type: ignore[no-any-return]


DEPENDENCIES = {
    "register_user": Provide(provide_register_user, sync_to_thread=False),
    "authenticate": Provide(provide_authenticate, sync_to_thread=False),
    "get_current_user": Provide(provide_get_current_user, sync_to_thread=False),
    "database_probe": Provide(provide_database_probe, sync_to_thread=False),
}
