"""Handlers get their use-cases from the container's providers, checked when the app is made.

A name or a type that does not match fails at app creation, not at the first request; an
overridden provider is what the real HTTP path then calls.
"""

from __future__ import annotations

from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar, get
from litestar.di import NamedDependency
from litestar.exceptions import ImproperlyConfiguredException
from litestar.testing import AsyncTestClient

from campus_booking.adapters.http.app import create_app
from campus_booking.adapters.http.dependencies import ContainerDependencies
from campus_booking.application.ports import Clock
from campus_booking.application.rooms import CreateRoom, UpdateRoom
from campus_booking.container import Container
from tests.e2e.conftest import assert_problem


def app_with(container: Container, handler: Any) -> Litestar:
    return Litestar(route_handlers=[handler], plugins=[ContainerDependencies(container)])


def test_a_handler_naming_no_provider_fails_at_app_creation(container: Container) -> None:
    @get("/typo")
    async def typo(update_rom: NamedDependency[UpdateRoom]) -> None: ...

    with pytest.raises(ImproperlyConfiguredException, match="update_rom"):
        app_with(container, typo)


def test_a_handler_expecting_another_type_fails_at_app_creation(container: Container) -> None:
    @get("/mistyped")
    async def mistyped(update_room: NamedDependency[CreateRoom]) -> None: ...

    with pytest.raises(ImproperlyConfiguredException, match=r"mistyped\(update_room\)"):
        app_with(container, mistyped)


def test_a_port_that_cannot_be_checked_fails_at_app_creation(container: Container) -> None:
    @get("/unchecked")
    async def unchecked(clock: NamedDependency[Clock]) -> None: ...

    with pytest.raises(ImproperlyConfiguredException, match="runtime_checkable"):
        app_with(container, unchecked)


def test_a_container_without_a_provider_a_handler_needs_fails_create_app(
    container: Container,
) -> None:
    del container.database_probe

    with pytest.raises(ImproperlyConfiguredException, match="database_probe"):
        create_app(container)


def test_a_provider_building_another_type_than_its_handler_expects_fails_create_app(
    container: Container,
) -> None:
    container.database_probe = providers.Factory(CreateRoom)

    with pytest.raises(ImproperlyConfiguredException, match="DatabaseProbe"):
        create_app(container)


class SilentDatabase:
    async def ping(self) -> bool:
        return False


async def test_an_overridden_provider_is_what_a_request_gets(
    container: Container, client: AsyncTestClient[Any]
) -> None:
    assert (await client.get("/health/ready")).status_code == 200

    with container.database_probe.override(providers.Object(SilentDatabase())):
        assert_problem(await client.get("/health/ready"), 503)

    assert (await client.get("/health/ready")).status_code == 200
