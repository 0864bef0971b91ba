"""The composition root: which adapter fulfils which port. Tests swap providers with `override`."""

from __future__ import annotations

from dependency_injector import containers, providers

from campus_booking.adapters.clock import SystemClock
from campus_booking.adapters.database.engine import create_engine, create_session_factory
from campus_booking.adapters.database.probe import SqlDatabaseProbe
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.adapters.security.passwords import BcryptPasswordHasher
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.application.auth import Authenticate, CreateAdmin, GetCurrentUser, RegisterUser
from campus_booking.settings import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Singleton(Settings.from_environ)

    engine = providers.Singleton(create_engine, url=settings.provided.database_url)
    session_factory = providers.Singleton(create_session_factory, engine)
    # A Factory: every use-case call opens its own session and transaction.
    uow = providers.Factory(SqlAlchemyUnitOfWork, session_factory=session_factory)
    database_probe = providers.Singleton(SqlDatabaseProbe, engine)

    clock = providers.Singleton(SystemClock)
    password_hasher = providers.Singleton(
        BcryptPasswordHasher, rounds=settings.provided.bcrypt_rounds
    )
    token_service = providers.Singleton(
        JwtTokenService,
        secret=settings.provided.jwt_secret,
        ttl_seconds=settings.provided.jwt_ttl_seconds,
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        clock=clock,
    )

    register_user = providers.Factory(
        RegisterUser, uow=uow.provider, hasher=password_hasher, clock=clock
    )
    create_admin = providers.Factory(
        CreateAdmin, uow=uow.provider, hasher=password_hasher, clock=clock
    )
    authenticate = providers.Factory(
        Authenticate, uow=uow.provider, hasher=password_hasher, tokens=token_service
    )
    get_current_user = providers.Factory(GetCurrentUser, uow=uow.provider, tokens=token_service)
