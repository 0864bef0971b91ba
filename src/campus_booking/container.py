"""The composition root: which adapter fulfils which port. Tests swap providers with `override`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta

from dependency_injector import containers, providers
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from campus_booking.adapters.clock import SystemClock
from campus_booking.adapters.database.direct_reads import DirectReader
from campus_booking.adapters.database.engine import create_engine
from campus_booking.adapters.database.migrations import AlembicSchemaMigrator
from campus_booking.adapters.database.probe import SqlDatabaseProbe
from campus_booking.adapters.database.repositories import SqlAccountLookup
from campus_booking.adapters.database.unit_of_work import SqlAlchemyUnitOfWork
from campus_booking.adapters.recurrence import expand_recurrence
from campus_booking.adapters.security.passwords import HASHING_THREADS, BcryptPasswordHasher
from campus_booking.adapters.security.tokens import JwtTokenService
from campus_booking.adapters.throttling.memory import MemoryFailureCounter
from campus_booking.adapters.throttling.redis import RedisFailureCounter, redis_client
from campus_booking.application.audit import ListAuditEntries, write_audit_trail
from campus_booking.application.auth import Authenticate, CreateAdmin, GetCurrentUser, RegisterUser
from campus_booking.application.availability import GetAvailabilityGrid, GetRoomAvailability
from campus_booking.application.booking_policies import (
    CreateBookingPolicy,
    DeleteBookingPolicy,
    GetBookingPolicy,
    ListBookingPolicies,
    ReplaceBookingPolicy,
)
from campus_booking.application.bookings import (
    CancelBooking,
    ChangeBooking,
    CheckBooking,
    CreateBooking,
    DecideBooking,
    GetBooking,
    ListBookings,
)
from campus_booking.application.calendar_feeds import (
    CreateFeed,
    DeleteFeed,
    ListFeeds,
    ReadFeed,
)
from campus_booking.application.closures import (
    CreateClosures,
    DeleteClosure,
    GetClosure,
    ListClosures,
)
from campus_booking.application.free_rooms import FindFreeRooms
from campus_booking.application.hashing import BoundedPasswordHasher
from campus_booking.application.idempotency import PurgeExpiredKeys
from campus_booking.application.opening_hours import GetOpeningHours, SetOpeningHours
from campus_booking.application.ports import Clock
from campus_booking.application.rooms import (
    CreateRoom,
    DeactivateRoom,
    GetRoom,
    ListRooms,
    UpdateRoom,
)
from campus_booking.application.series import (
    AddOccurrence,
    CancelSeries,
    ChangeSeries,
    CreateSeries,
    DecideSeries,
    GetSeries,
    ListSeries,
    PreviewSeries,
)
from campus_booking.application.sessions import ChangePassword, SignOutEverywhere
from campus_booking.application.throttling import LoginThrottle, RegistrationThrottle
from campus_booking.application.users import ChangeUser, ListUsers
from campus_booking.domain.booking_rules import BookingRules
from campus_booking.settings import Settings

# At bcrypt cost 12 (~300 ms a check) 32 waiting sign-ins are a few seconds' work per process;
# sign-ups may keep only a short line, the rest answer 503 at once.
SIGN_IN_HASHES_WAITING = 32
SIGN_UP_HASHES_WAITING = 4
SIGN_UP_NICENESS = 19


def redis_client_for(settings: Settings) -> Redis | None:
    return redis_client(settings.redis_url) if settings.redis_url else None


def failure_counter_for(
    settings: Settings, clock: Clock, redis: Redis | None
) -> MemoryFailureCounter | RedisFailureCounter:
    """Redis when configured, so that every server process shares the counts."""
    if redis is not None:
        return RedisFailureCounter(redis, window_seconds=settings.login_window_seconds)
    return MemoryFailureCounter(window_seconds=settings.login_window_seconds, clock=clock)


# The engine and the Redis client are Singletons, so that whatever uses them gets them at
# once: as async Resources, every provider built on them would hand out awaitables instead.
# Each has a Resource of its own that closes it when the container's resources shut down.


async def disposing(engine: AsyncEngine) -> AsyncIterator[None]:
    yield
    await engine.dispose()  # its readers' twin too (adapters/database/engine.py)


async def closing(redis: Redis | None) -> AsyncIterator[None]:
    yield
    if redis is not None:
        await redis.aclose()


@asynccontextmanager
async def resources_of(container: containers.Container) -> AsyncIterator[None]:
    """Opens the container's resources, and shuts them down however the block ends.

    Every entry point runs inside one: the ASGI app's lifespan (main.py), each CLI command
    that reaches the database, a test's app.
    """
    await _settled(container.init_resources())
    try:
        yield
    finally:
        await _settled(container.shutdown_resources())


async def _settled(pending: Awaitable[None] | None) -> None:
    """dependency-injector answers an awaitable once any resource is async (ours are)."""
    if pending is not None:
        await pending


class Container(containers.DeclarativeContainer):
    __self__ = providers.Self()
    settings = providers.Singleton(Settings.from_environ)

    engine = providers.Singleton(
        create_engine,
        url=settings.provided.database_url,
        lock_timeout_seconds=settings.provided.database_lock_timeout_seconds,
        statement_timeout_seconds=settings.provided.database_statement_timeout_seconds,
    )
    engine_disposal = providers.Resource(disposing, engine)
    # What a commit does with the events its aggregates recorded, before the database commits.
    event_handlers = providers.List(providers.Object(write_audit_trail))
    # A Factory: every use-case call opens its own connection and transaction.
    uow = providers.Factory(SqlAlchemyUnitOfWork, engine=engine, handlers=event_handlers)
    database_probe = providers.Singleton(SqlDatabaseProbe, engine)
    schema_migrator = providers.Factory(
        AlembicSchemaMigrator, database_url=settings.provided.database_url
    )

    clock = providers.Singleton(SystemClock)
    # Sign-ins (and password changes) and sign-ups hash on budgets of their own: see
    # application/hashing.py. Sign-ins get two threads; sign-ups one, niced further.
    password_hasher = providers.Singleton(
        BoundedPasswordHasher,
        providers.Singleton(BcryptPasswordHasher, rounds=settings.provided.bcrypt_rounds),
        concurrent=HASHING_THREADS,
        waiting=SIGN_IN_HASHES_WAITING,
        refusal="Too many sign-ins at once; try again shortly.",
    )
    registration_hasher = providers.Singleton(
        BoundedPasswordHasher,
        providers.Singleton(
            BcryptPasswordHasher,
            rounds=settings.provided.bcrypt_rounds,
            threads=1,
            niceness=SIGN_UP_NICENESS,
        ),
        concurrent=1,
        waiting=SIGN_UP_HASHES_WAITING,
        refusal="Too many sign-ups at once; try again shortly.",
    )
    token_service = providers.Singleton(
        JwtTokenService,
        secret=settings.provided.jwt_secret,
        ttl_seconds=settings.provided.jwt_ttl_seconds,
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        clock=clock,
    )

    redis = providers.Singleton(redis_client_for, settings)
    redis_closing = providers.Resource(closing, redis)
    failure_counter = providers.Singleton(failure_counter_for, settings, clock, redis)
    registration_throttle = providers.Singleton(
        RegistrationThrottle,
        counter=failure_counter,
        per_client=settings.provided.registrations_per_client,
    )
    register_user = providers.Factory(
        RegisterUser,
        uow=uow.provider,
        hasher=registration_hasher,
        clock=clock,
        throttle=registration_throttle,
    )
    create_admin = providers.Factory(
        CreateAdmin, uow=uow.provider, hasher=registration_hasher, clock=clock
    )
    purge_expired_keys = providers.Factory(PurgeExpiredKeys, uow=uow.provider, clock=clock)
    login_throttle = providers.Singleton(
        LoginThrottle,
        counter=failure_counter,
        per_account_and_client=settings.provided.login_failures_per_account_and_client,
        per_account=settings.provided.login_failures_per_account,
        per_client=settings.provided.login_failures_per_client,
    )
    authenticate = providers.Factory(
        Authenticate,
        uow=uow.provider,
        hasher=password_hasher,
        tokens=token_service,
        throttle=login_throttle,
    )
    direct_reads = providers.Singleton(DirectReader.of, engine)
    accounts = providers.Singleton(SqlAccountLookup, direct_reads)
    get_current_user = providers.Factory(GetCurrentUser, accounts=accounts, tokens=token_service)
    sign_out_everywhere = providers.Factory(SignOutEverywhere, uow=uow.provider, clock=clock)
    change_password = providers.Factory(
        ChangePassword,
        uow=uow.provider,
        hasher=password_hasher,
        tokens=token_service,
        throttle=login_throttle,
        clock=clock,
    )

    booking_rules = providers.Singleton(
        BookingRules,
        max_duration=providers.Factory(timedelta, hours=settings.provided.max_booking_hours),
        max_ahead=providers.Factory(timedelta, days=settings.provided.max_days_ahead),
        max_active_per_student=settings.provided.max_active_bookings_per_student,
    )

    list_rooms = providers.Factory(ListRooms, uow=uow.provider)
    get_room = providers.Factory(GetRoom, uow=uow.provider)
    create_room = providers.Factory(
        CreateRoom, uow=uow.provider, clock=clock, campus_zone=settings.provided.time_zone
    )
    update_room = providers.Factory(UpdateRoom, uow=uow.provider, clock=clock)
    deactivate_room = providers.Factory(DeactivateRoom, uow=uow.provider, clock=clock)
    get_opening_hours = providers.Factory(GetOpeningHours, uow=uow.provider)
    get_room_availability = providers.Factory(GetRoomAvailability, uow=uow.provider)
    get_availability_grid = providers.Factory(GetAvailabilityGrid, uow=uow.provider)
    find_free_rooms = providers.Factory(
        FindFreeRooms, uow=uow.provider, clock=clock, rules=booking_rules
    )
    set_opening_hours = providers.Factory(SetOpeningHours, uow=uow.provider, clock=clock)

    create_booking = providers.Factory(
        CreateBooking, uow=uow.provider, clock=clock, rules=booking_rules
    )
    change_booking = providers.Factory(
        ChangeBooking, uow=uow.provider, clock=clock, rules=booking_rules
    )
    check_booking = providers.Factory(
        CheckBooking, uow=uow.provider, clock=clock, rules=booking_rules
    )
    cancel_booking = providers.Factory(CancelBooking, uow=uow.provider, clock=clock)
    decide_booking = providers.Factory(DecideBooking, uow=uow.provider, clock=clock)
    get_booking = providers.Factory(GetBooking, uow=uow.provider)
    list_bookings = providers.Factory(ListBookings, uow=uow.provider)

    recurrence_expander = providers.Object(expand_recurrence)
    _series_writer = {
        "uow": uow.provider,
        "clock": clock,
        "rules": booking_rules,
        "expander": recurrence_expander,
    }
    preview_series = providers.Factory(PreviewSeries, **_series_writer)
    create_series = providers.Factory(CreateSeries, **_series_writer)
    change_series = providers.Factory(ChangeSeries, **_series_writer)
    add_occurrence = providers.Factory(AddOccurrence, **_series_writer)
    cancel_series = providers.Factory(CancelSeries, uow=uow.provider, clock=clock)
    decide_series = providers.Factory(DecideSeries, uow=uow.provider, clock=clock)
    get_series = providers.Factory(GetSeries, uow=uow.provider, clock=clock)
    list_series = providers.Factory(ListSeries, uow=uow.provider, clock=clock)
    create_feed = providers.Factory(CreateFeed, uow=uow.provider, clock=clock)
    list_feeds = providers.Factory(ListFeeds, uow=uow.provider)
    delete_feed = providers.Factory(DeleteFeed, uow=uow.provider)
    read_feed = providers.Factory(
        ReadFeed,
        uow=uow.provider,
        clock=clock,
        expander=recurrence_expander,
        days_back=settings.provided.feed_days_back,
        days_ahead=settings.provided.feed_days_ahead,
    )

    create_closures = providers.Factory(CreateClosures, uow=uow.provider, clock=clock)
    list_closures = providers.Factory(ListClosures, uow=uow.provider)
    get_closure = providers.Factory(GetClosure, uow=uow.provider)
    delete_closure = providers.Factory(DeleteClosure, uow=uow.provider, clock=clock)
    list_booking_policies = providers.Factory(ListBookingPolicies, uow=uow.provider)
    get_booking_policy = providers.Factory(GetBookingPolicy, uow=uow.provider)
    create_booking_policy = providers.Factory(CreateBookingPolicy, uow=uow.provider, clock=clock)
    replace_booking_policy = providers.Factory(ReplaceBookingPolicy, uow=uow.provider, clock=clock)
    delete_booking_policy = providers.Factory(DeleteBookingPolicy, uow=uow.provider, clock=clock)

    list_users = providers.Factory(ListUsers, uow=uow.provider)
    change_user = providers.Factory(ChangeUser, uow=uow.provider, clock=clock)
    list_audit_entries = providers.Factory(ListAuditEntries, uow=uow.provider)

    # `async with container.lifetime():` opens the resources above and shuts them down.
    lifetime: providers.Factory[AbstractAsyncContextManager[None]] = providers.Factory(
        resources_of, __self__
    )
