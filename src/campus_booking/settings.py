"""Settings from `CAMPUS_BOOKING_*` environment variables, with safe development defaults."""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from campus_booking.domain.booking_policies import MAX_ACTIVE_BOOKINGS
from campus_booking.domain.errors import InvalidValue
from campus_booking.domain.time_zones import check_time_zone

PREFIX = "CAMPUS_BOOKING_"
MIN_SECRET_BYTES = 32
DEV_SECRET_FILE = Path(".campus-booking-secret")
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./campus_booking.db"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(Exception):
    """The configuration cannot be used; the message says which variable to fix."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: str = ""
    jwt_ttl_seconds: int = 3600
    jwt_issuer: str = "campus-booking"
    jwt_audience: str = "campus-booking-api"
    bcrypt_rounds: int = 12
    max_booking_hours: int = 8
    max_days_ahead: int = 365  # to a booking's end
    max_active_bookings_per_student: int = 20
    time_zone: str = "UTC"  # the campus zone: a new room's zone unless it names its own
    feed_days_back: int = 30  # how far back a calendar feed reaches (and shows cancellations)
    feed_days_ahead: int = 365
    log_format: str = "text"  # "json" by default in production
    log_level: str = "INFO"
    cors_origins: tuple[str, ...] = ()
    hsts_seconds: int = 0
    redis_url: str | None = None
    login_failures_per_account_and_client: int = 5
    login_failures_per_account: int = 100
    login_failures_per_client: int = 50
    login_window_seconds: int = 300
    registrations_per_client: int = 10
    trusted_proxies: tuple[Network, ...] = ()
    # How long a statement may wait for a row or table lock (PostgreSQL's lock_timeout,
    # SQLite's busy timeout), and how long any statement may run (PostgreSQL only).
    database_lock_timeout_seconds: float = 5.0
    database_statement_timeout_seconds: float = 10.0

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ

        def read(name: str, default: str) -> str:
            return environ.get(PREFIX + name, default)

        env = read("ENV", cls.env)
        if env not in {"development", "production"}:
            raise SettingsError(f"{PREFIX}ENV must be 'development' or 'production', not {env!r}")
        secret = read("JWT_SECRET", "")
        if env == "production":
            if len(secret.encode()) < MIN_SECRET_BYTES:
                raise SettingsError(
                    f"{PREFIX}JWT_SECRET must be set to a random value of at least "
                    f"{MIN_SECRET_BYTES} bytes when {PREFIX}ENV=production; refusing to start."
                )
        elif not secret:
            secret = development_secret(DEV_SECRET_FILE)
        settings = cls(
            env=env,
            database_url=database_url_from_environ(environ),
            jwt_secret=secret,
            jwt_ttl_seconds=_positive_int(environ, "JWT_TTL_SECONDS", cls.jwt_ttl_seconds),
            jwt_issuer=read("JWT_ISSUER", cls.jwt_issuer),
            jwt_audience=read("JWT_AUDIENCE", cls.jwt_audience),
            bcrypt_rounds=_positive_int(environ, "BCRYPT_ROUNDS", cls.bcrypt_rounds),
            max_booking_hours=_positive_int(environ, "MAX_BOOKING_HOURS", cls.max_booking_hours),
            max_days_ahead=_positive_int(environ, "MAX_DAYS_AHEAD", cls.max_days_ahead),
            max_active_bookings_per_student=_positive_int(
                environ, "MAX_ACTIVE_BOOKINGS_PER_STUDENT", cls.max_active_bookings_per_student
            ),
            time_zone=read("TIME_ZONE", cls.time_zone),
            feed_days_back=_positive_int(environ, "FEED_DAYS_BACK", cls.feed_days_back),
            feed_days_ahead=_positive_int(environ, "FEED_DAYS_AHEAD", cls.feed_days_ahead),
            log_format=read("LOG_FORMAT", "json" if env == "production" else cls.log_format),
            log_level=read("LOG_LEVEL", cls.log_level).upper(),
            cors_origins=tuple(
                origin.strip() for origin in read("CORS_ORIGINS", "").split(",") if origin.strip()
            ),
            hsts_seconds=_whole_number(environ, "HSTS_SECONDS", cls.hsts_seconds),
            redis_url=read("REDIS_URL", "") or None,
            login_failures_per_account_and_client=_positive_int(
                environ,
                "LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT",
                cls.login_failures_per_account_and_client,
            ),
            login_failures_per_account=_positive_int(
                environ, "LOGIN_FAILURES_PER_ACCOUNT", cls.login_failures_per_account
            ),
            login_failures_per_client=_positive_int(
                environ, "LOGIN_FAILURES_PER_CLIENT", cls.login_failures_per_client
            ),
            login_window_seconds=_positive_int(
                environ, "LOGIN_WINDOW_SECONDS", cls.login_window_seconds
            ),
            registrations_per_client=_positive_int(
                environ, "REGISTRATIONS_PER_CLIENT", cls.registrations_per_client
            ),
            trusted_proxies=_networks(environ, "TRUSTED_PROXIES"),
            database_lock_timeout_seconds=_positive_seconds(
                environ, "DATABASE_LOCK_TIMEOUT_SECONDS", cls.database_lock_timeout_seconds
            ),
            database_statement_timeout_seconds=_positive_seconds(
                environ,
                "DATABASE_STATEMENT_TIMEOUT_SECONDS",
                cls.database_statement_timeout_seconds,
            ),
        )
        if settings.max_booking_hours > 24:
            raise SettingsError(f"{PREFIX}MAX_BOOKING_HOURS must be at most 24")
        if settings.max_days_ahead > 36_500:  # datetime's range ends at the year 9999
            raise SettingsError(f"{PREFIX}MAX_DAYS_AHEAD must be at most 36500")
        if settings.max_active_bookings_per_student > MAX_ACTIVE_BOOKINGS:  # a policy's bound
            raise SettingsError(
                f"{PREFIX}MAX_ACTIVE_BOOKINGS_PER_STUDENT must be at most {MAX_ACTIVE_BOOKINGS}"
            )
        try:
            check_time_zone(settings.time_zone)
        except InvalidValue as error:
            raise SettingsError(f"{PREFIX}TIME_ZONE: {error}") from error
        if settings.log_format not in {"json", "text"}:
            raise SettingsError(f"{PREFIX}LOG_FORMAT must be 'json' or 'text'")
        if settings.log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise SettingsError(f"{PREFIX}LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR")
        if not 4 <= settings.bcrypt_rounds <= 31:
            raise SettingsError(f"{PREFIX}BCRYPT_ROUNDS must be between 4 and 31")
        if settings.database_statement_timeout_seconds < settings.database_lock_timeout_seconds:
            # A statement's lock wait counts towards its run time: the lock timeout would never
            # apply, and a lock wait would be reported as a slow statement.
            raise SettingsError(
                f"{PREFIX}DATABASE_STATEMENT_TIMEOUT_SECONDS must not be shorter than "
                f"{PREFIX}DATABASE_LOCK_TIMEOUT_SECONDS"
            )
        return settings


def database_url_from_environ(environ: Mapping[str, str] | None = None) -> str:
    """The one setting that Alembic needs too, readable without making a secret."""
    environ = os.environ if environ is None else environ
    return environ.get(PREFIX + "DATABASE_URL", DEFAULT_DATABASE_URL)


def development_secret(path: Path) -> str:
    """A random secret made once per checkout and kept in a git-ignored file.

    Written to a private temporary file, then published with an atomic `link`, so server
    workers starting together all read one whole secret and never a half-written file.
    """
    if not path.exists():
        draft = path.with_name(f"{path.name}.{os.getpid()}.draft")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process published first: use theirs
        finally:
            draft.unlink()
    secret = path.read_text().strip()
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(
            f"{path} holds no usable secret: delete it to have a new one made, "
            f"or set {PREFIX}JWT_SECRET."
        )
    return secret


def _networks(environ: Mapping[str, str], name: str) -> tuple[Network, ...]:
    """Comma-separated addresses or CIDR blocks: `10.0.0.1, 192.168.0.0/24, ::1`."""
    networks = []
    for item in environ.get(PREFIX + name, "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise SettingsError(
                    f"{PREFIX}{name} must list IP addresses or CIDR blocks, not {item.strip()!r}"
                ) from None
    return tuple(networks)


def _whole_number(environ: Mapping[str, str], name: str, default: int) -> int:
    return _int_at_least(0, environ, name, default, "must not be negative")


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    return _int_at_least(1, environ, name, default, "must be positive")


def _positive_seconds(environ: Mapping[str, str], name: str, default: float) -> float:
    """Seconds, fractions allowed, at least a millisecond (the databases count in those)."""
    raw = environ.get(PREFIX + name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a number of seconds, not {raw!r}") from None
    if not 0.001 <= value <= 86_400:  # also refuses nan and inf
        raise SettingsError(f"{PREFIX}{name} must be between 0.001 and 86400 seconds")
    return value


def _int_at_least(
    minimum: int, environ: Mapping[str, str], name: str, default: int, refusal: str
) -> int:
    raw = environ.get(PREFIX + name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{PREFIX}{name} {refusal}")
    return value
