"""Settings.from_environ: safe development defaults, and a refusal that names the variable."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest

from campus_booking.settings import DEFAULT_DATABASE_URL, Settings, SettingsError

SECRET_FILE = ".campus-booking-secret"
SECRET = "s" * 32


@pytest.fixture(autouse=True)
def in_tmp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The development secret file is made in the working directory: keep it out of the repo."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refusal(environ: dict[str, str]) -> str:
    with pytest.raises(SettingsError) as error:
        Settings.from_environ(environ)
    return str(error.value)


def test_development_defaults() -> None:
    settings = Settings.from_environ({"CAMPUS_BOOKING_JWT_SECRET": "dev"})

    assert settings == Settings(
        env="development",
        database_url=DEFAULT_DATABASE_URL,
        jwt_secret="dev",
        jwt_ttl_seconds=3600,
        jwt_issuer="campus-booking",
        jwt_audience="campus-booking-api",
        bcrypt_rounds=12,
    )
    assert settings.is_production is False


def test_the_variables_are_read() -> None:
    settings = Settings.from_environ(
        {
            "CAMPUS_BOOKING_ENV": "production",
            "CAMPUS_BOOKING_DATABASE_URL": "postgresql+asyncpg://db/campus",
            "CAMPUS_BOOKING_JWT_SECRET": SECRET,
            "CAMPUS_BOOKING_JWT_TTL_SECONDS": "600",
            "CAMPUS_BOOKING_JWT_ISSUER": "iss",
            "CAMPUS_BOOKING_JWT_AUDIENCE": "aud",
            "CAMPUS_BOOKING_BCRYPT_ROUNDS": "10",
            "CAMPUS_BOOKING_LOG_LEVEL": "warning",
            "CAMPUS_BOOKING_CORS_ORIGINS": "https://a.uni.example, https://b.uni.example",
            "CAMPUS_BOOKING_HSTS_SECONDS": "31536000",
            "CAMPUS_BOOKING_REDIS_URL": "redis://cache:6379/1",
            "CAMPUS_BOOKING_LOGIN_FAILURES_PER_ACCOUNT_AND_CLIENT": "4",
            "CAMPUS_BOOKING_LOGIN_FAILURES_PER_ACCOUNT": "300",
            "CAMPUS_BOOKING_LOGIN_FAILURES_PER_CLIENT": "30",
            "CAMPUS_BOOKING_LOGIN_WINDOW_SECONDS": "60",
            "CAMPUS_BOOKING_REGISTRATIONS_PER_CLIENT": "7",
            "CAMPUS_BOOKING_TRUSTED_PROXIES": "10.0.0.1, 192.168.1.7/24,::1",
        }
    )

    assert settings == Settings(
        env="production",
        database_url="postgresql+asyncpg://db/campus",
        jwt_secret=SECRET,
        jwt_ttl_seconds=600,
        jwt_issuer="iss",
        jwt_audience="aud",
        bcrypt_rounds=10,
        log_format="json",  # the production default
        log_level="WARNING",
        cors_origins=("https://a.uni.example", "https://b.uni.example"),
        hsts_seconds=31536000,
        redis_url="redis://cache:6379/1",
        login_failures_per_account_and_client=4,
        login_failures_per_account=300,
        login_failures_per_client=30,
        login_window_seconds=60,
        registrations_per_client=7,
        trusted_proxies=(
            ipaddress.ip_network("10.0.0.1/32"),
            ipaddress.ip_network("192.168.1.0/24"),
            ipaddress.ip_network("::1/128"),
        ),
    )
    assert settings.is_production is True


@pytest.mark.parametrize("value", ["proxy.local", "10.0.0.1/33", "10.0.0.300"])
def test_a_trusted_proxy_that_is_no_address_is_refused(value: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_TRUSTED_PROXIES": value})

    assert "CAMPUS_BOOKING_TRUSTED_PROXIES" in message
    assert repr(value) in message


def test_no_proxy_is_trusted_by_default() -> None:
    assert Settings.from_environ({"CAMPUS_BOOKING_JWT_SECRET": "dev"}).trusted_proxies == ()


def test_the_development_secret_is_made_once_and_reused(in_tmp_path: Path) -> None:
    first = Settings.from_environ({}).jwt_secret
    secret_file = in_tmp_path / SECRET_FILE

    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert secret_file.read_text().strip() == first
    assert len(first.encode()) >= 32
    assert Settings.from_environ({}).jwt_secret == first


def test_a_given_development_secret_makes_no_file(in_tmp_path: Path) -> None:
    assert Settings.from_environ({"CAMPUS_BOOKING_JWT_SECRET": "dev"}).jwt_secret == "dev"
    assert not (in_tmp_path / SECRET_FILE).exists()


def test_an_empty_secret_file_is_not_used_as_the_secret(in_tmp_path: Path) -> None:
    """A worker may read the file between another's O_EXCL create and its write."""
    (in_tmp_path / SECRET_FILE).write_text("")

    assert SECRET_FILE in refusal({})


def test_production_without_a_secret_is_refused(in_tmp_path: Path) -> None:
    message = refusal({"CAMPUS_BOOKING_ENV": "production"})

    assert "CAMPUS_BOOKING_JWT_SECRET" in message
    assert not (in_tmp_path / SECRET_FILE).exists()


def test_production_refuses_a_31_byte_secret_and_accepts_32() -> None:
    short = {"CAMPUS_BOOKING_ENV": "production", "CAMPUS_BOOKING_JWT_SECRET": "s" * 31}
    enough = {"CAMPUS_BOOKING_ENV": "production", "CAMPUS_BOOKING_JWT_SECRET": "s" * 32}

    assert "CAMPUS_BOOKING_JWT_SECRET" in refusal(short)
    assert Settings.from_environ(enough).jwt_secret == "s" * 32


@pytest.mark.parametrize("env", ["staging", "Production", "prod", ""])
def test_an_unknown_env_is_refused(env: str) -> None:
    assert refusal({"CAMPUS_BOOKING_ENV": env}) == (
        f"CAMPUS_BOOKING_ENV must be 'development' or 'production', not {env!r}"
    )


@pytest.mark.parametrize("name", ["JWT_TTL_SECONDS", "BCRYPT_ROUNDS"])
@pytest.mark.parametrize("raw", ["ten", "1.5", "", "0x10"])
def test_a_count_that_is_not_a_whole_number_is_refused(name: str, raw: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", f"CAMPUS_BOOKING_{name}": raw})

    assert message == f"CAMPUS_BOOKING_{name} must be a whole number, not {raw!r}"


@pytest.mark.parametrize("name", ["JWT_TTL_SECONDS", "BCRYPT_ROUNDS"])
@pytest.mark.parametrize("raw", ["0", "-1"])
def test_a_count_that_is_not_positive_is_refused(name: str, raw: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", f"CAMPUS_BOOKING_{name}": raw})

    assert message == f"CAMPUS_BOOKING_{name} must be positive"


@pytest.mark.parametrize("rounds", ["3", "32", "100"])
def test_bcrypt_rounds_outside_4_to_31_are_refused(rounds: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_BCRYPT_ROUNDS": rounds})

    assert message == "CAMPUS_BOOKING_BCRYPT_ROUNDS must be between 4 and 31"


@pytest.mark.parametrize("rounds", [4, 31])
def test_bcrypt_rounds_at_the_bounds_are_accepted(rounds: int) -> None:
    environ = {"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_BCRYPT_ROUNDS": str(rounds)}

    assert Settings.from_environ(environ).bcrypt_rounds == rounds


def test_a_maximum_booking_length_over_a_day_is_refused() -> None:
    environ = {"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_MAX_BOOKING_HOURS": "25"}

    assert refusal(environ) == "CAMPUS_BOOKING_MAX_BOOKING_HOURS must be at most 24"


def test_a_maximum_booking_length_of_a_day_is_accepted() -> None:
    environ = {"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_MAX_BOOKING_HOURS": "24"}

    assert Settings.from_environ(environ).max_booking_hours == 24


def test_database_timeouts_default_to_a_few_seconds() -> None:
    settings = Settings.from_environ({"CAMPUS_BOOKING_JWT_SECRET": "dev"})

    assert settings.database_lock_timeout_seconds == 5
    assert settings.database_statement_timeout_seconds == 10


def test_database_timeouts_are_read_in_seconds_with_fractions() -> None:
    settings = Settings.from_environ(
        {
            "CAMPUS_BOOKING_JWT_SECRET": "dev",
            "CAMPUS_BOOKING_DATABASE_LOCK_TIMEOUT_SECONDS": "1.5",
            "CAMPUS_BOOKING_DATABASE_STATEMENT_TIMEOUT_SECONDS": "30",
        }
    )

    assert settings.database_lock_timeout_seconds == 1.5
    assert settings.database_statement_timeout_seconds == 30


@pytest.mark.parametrize("name", ["LOCK_TIMEOUT_SECONDS", "STATEMENT_TIMEOUT_SECONDS"])
@pytest.mark.parametrize("raw", ["0", "-1", "nan", "inf", "0.0001"])
def test_a_database_timeout_out_of_range_is_refused(name: str, raw: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", f"CAMPUS_BOOKING_DATABASE_{name}": raw})

    assert message == f"CAMPUS_BOOKING_DATABASE_{name} must be between 0.001 and 86400 seconds"


def test_a_database_timeout_that_is_not_a_number_is_refused() -> None:
    name = "CAMPUS_BOOKING_DATABASE_LOCK_TIMEOUT_SECONDS"
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", name: "5s"})

    assert message == f"{name} must be a number of seconds, not '5s'"


def test_a_statement_timeout_shorter_than_the_lock_timeout_is_refused() -> None:
    message = refusal(
        {
            "CAMPUS_BOOKING_JWT_SECRET": "dev",
            "CAMPUS_BOOKING_DATABASE_LOCK_TIMEOUT_SECONDS": "5",
            "CAMPUS_BOOKING_DATABASE_STATEMENT_TIMEOUT_SECONDS": "2",
        }
    )

    assert "STATEMENT_TIMEOUT_SECONDS must not be shorter than" in message


def test_booking_limits_default_to_a_year_and_twenty_bookings() -> None:
    settings = Settings.from_environ({"CAMPUS_BOOKING_JWT_SECRET": "dev"})

    assert settings.max_days_ahead == 365
    assert settings.max_active_bookings_per_student == 20


def test_booking_limits_are_read() -> None:
    settings = Settings.from_environ(
        {
            "CAMPUS_BOOKING_JWT_SECRET": "dev",
            "CAMPUS_BOOKING_MAX_DAYS_AHEAD": "90",
            "CAMPUS_BOOKING_MAX_ACTIVE_BOOKINGS_PER_STUDENT": "5",
        }
    )

    assert settings.max_days_ahead == 90
    assert settings.max_active_bookings_per_student == 5


@pytest.mark.parametrize("name", ["MAX_DAYS_AHEAD", "MAX_ACTIVE_BOOKINGS_PER_STUDENT"])
def test_a_booking_limit_of_zero_is_refused(name: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", f"CAMPUS_BOOKING_{name}": "0"})

    assert message == f"CAMPUS_BOOKING_{name} must be positive"


def test_a_horizon_past_the_calendar_is_refused() -> None:
    environ = {"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_MAX_DAYS_AHEAD": "36501"}

    assert refusal(environ) == "CAMPUS_BOOKING_MAX_DAYS_AHEAD must be at most 36500"


def test_an_active_bookings_limit_beyond_a_policys_is_refused() -> None:
    environ = {
        "CAMPUS_BOOKING_JWT_SECRET": "dev",
        "CAMPUS_BOOKING_MAX_ACTIVE_BOOKINGS_PER_STUDENT": "100001",
    }

    assert (
        refusal(environ) == "CAMPUS_BOOKING_MAX_ACTIVE_BOOKINGS_PER_STUDENT must be at most 100000"
    )


def test_the_campus_time_zone_is_utc_unless_set() -> None:
    assert Settings.from_environ({"CAMPUS_BOOKING_JWT_SECRET": "dev"}).time_zone == "UTC"
    berlin = {"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_TIME_ZONE": "Europe/Berlin"}
    assert Settings.from_environ(berlin).time_zone == "Europe/Berlin"


@pytest.mark.parametrize("value", ["Mars/Olympus", "europe/berlin", ""])
def test_an_unknown_campus_time_zone_is_refused(value: str) -> None:
    message = refusal({"CAMPUS_BOOKING_JWT_SECRET": "dev", "CAMPUS_BOOKING_TIME_ZONE": value})

    assert "CAMPUS_BOOKING_TIME_ZONE" in message
