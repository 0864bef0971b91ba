"""`make test` on a developer's machine tests PostgreSQL and Redis where they usually answer.

Without `CAMPUS_BOOKING_TEST_POSTGRES_URL` or `..._REDIS_URL` the suite tries the usual local
addresses, and skips (fails in CI) only when nothing answers there, saying where it looked.
"""

from __future__ import annotations

import socket

import pytest

from tests.conftest import (
    DEFAULT_POSTGRES_URL,
    DEFAULT_REDIS_URL,
    POSTGRES_URL_VARIABLE,
    REDIS_URL_VARIABLE,
    postgres_unreachable,
    redis_unreachable,
    server_url,
)


@pytest.mark.parametrize(
    ("variable", "default"),
    [
        (POSTGRES_URL_VARIABLE, "postgresql+asyncpg://postgres@127.0.0.1:5432/test"),
        (REDIS_URL_VARIABLE, "redis://127.0.0.1:6379/0"),
    ],
)
def test_without_the_variable_the_usual_local_server_is_tried(
    monkeypatch: pytest.MonkeyPatch, variable: str, default: str
) -> None:
    monkeypatch.delenv(variable, raising=False)

    url, source = server_url(variable, default)

    assert url == default
    assert default in source
    assert variable in source


@pytest.mark.parametrize(
    ("variable", "default"),
    [(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL), (REDIS_URL_VARIABLE, DEFAULT_REDIS_URL)],
)
def test_the_variable_wins_over_the_default(
    monkeypatch: pytest.MonkeyPatch, variable: str, default: str
) -> None:
    monkeypatch.setenv(variable, "elsewhere://db.example/x")

    assert server_url(variable, default) == ("elsewhere://db.example/x", variable)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nobody listens once the probe is closed


def test_a_postgres_that_does_not_answer_is_named_in_the_reason() -> None:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/test"

    reason = postgres_unreachable(url, url)

    assert reason is not None
    assert url in reason


def test_a_redis_that_does_not_answer_is_named_in_the_reason() -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"

    reason = redis_unreachable(url, url)

    assert reason is not None
    assert url in reason
