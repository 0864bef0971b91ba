"""The `campus-booking` command, run in-process on a container with test settings.

`run` calls `asyncio.run` itself, so these tests are synchronous and check the database
with `asyncio.run` of their own.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from dependency_injector import providers
from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from campus_booking.adapters import cli
from campus_booking.adapters.database.migrations import upgrade
from campus_booking.application.idempotency import Answer, KeyRecord
from campus_booking.container import Container
from campus_booking.domain.users import Role, User
from campus_booking.settings import Settings
from tests.conftest import test_settings as make_test_settings

EMAIL = "root@uni.edu"
PASSWORD = "correct horse battery"
CREATE_ADMIN = ["create-admin", "--email", "Root@Uni.edu", "--full-name", "Root Admin"]


def load_user(container: Container, email: str) -> User | None:
    async def load() -> User | None:
        try:
            async with container.uow(read_only=True) as uow:
                return await uow.users.get_by_email(email)
        finally:
            await container.engine().dispose()

    return asyncio.run(load())


def answer_prompts(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Feeds getpass; returns the prompts shown."""
    prompts: list[str] = []
    queue = list(answers)

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return queue.pop(0)

    monkeypatch.setattr(cli.getpass, "getpass", fake_getpass)
    return prompts


@pytest.fixture
def no_password_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cli.ADMIN_PASSWORD_VARIABLE, raising=False)


def test_create_admin_with_the_password_variable(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.ADMIN_PASSWORD_VARIABLE, PASSWORD)

    assert cli.run(container, CREATE_ADMIN) == 0

    admin = load_user(container, EMAIL)
    assert admin is not None
    assert (admin.role, admin.full_name, admin.is_active) == (Role.ADMIN, "Root Admin", True)
    assert capsys.readouterr().out == f"created admin {EMAIL} ({admin.id})\n"


def test_purge_keys_drops_the_expired_idempotency_keys(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.ADMIN_PASSWORD_VARIABLE, PASSWORD)
    assert cli.run(container, CREATE_ADMIN) == 0
    admin = load_user(container, EMAIL)
    assert admin is not None
    now = container.clock().now()

    async def keep(*records: KeyRecord) -> None:
        try:
            async with container.uow() as uow:
                for record in records:
                    await uow.idempotency_keys.put(record)
                await uow.commit()
        finally:
            await container.engine().dispose()

    answer = Answer(201, b"{}")
    asyncio.run(
        keep(
            KeyRecord(admin.id, "expired", "f" * 64, answer, now - timedelta(seconds=1)),
            KeyRecord(admin.id, "live", "f" * 64, answer, now + timedelta(hours=1)),
        )
    )
    capsys.readouterr()

    assert cli.run(container, ["purge-keys"]) == 0
    assert capsys.readouterr().out == "dropped 1 expired idempotency key(s)\n"
    assert cli.run(container, ["purge-keys"]) == 0
    assert capsys.readouterr().out == "dropped 0 expired idempotency key(s)\n"


@pytest.mark.usefixtures("no_password_variable")
def test_create_admin_prompts_twice_without_the_variable(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts = answer_prompts(monkeypatch, PASSWORD, PASSWORD)

    assert cli.run(container, CREATE_ADMIN) == 0

    assert prompts == ["Password for the new admin: ", "Repeat the password: "]
    admin = load_user(container, EMAIL)
    assert admin is not None
    assert admin.role == Role.ADMIN


@pytest.mark.usefixtures("no_password_variable")
def test_create_admin_refuses_mismatched_passwords(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answer_prompts(monkeypatch, PASSWORD, PASSWORD + "!")

    assert cli.run(container, CREATE_ADMIN) == 1

    assert capsys.readouterr().err == "campus-booking: the passwords did not match\n"
    assert load_user(container, EMAIL) is None


def test_create_admin_refuses_a_duplicate_email(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.ADMIN_PASSWORD_VARIABLE, PASSWORD)
    assert cli.run(container, CREATE_ADMIN) == 0
    first = load_user(container, EMAIL)
    assert first is not None
    capsys.readouterr()

    assert cli.run(container, ["create-admin", "--email", EMAIL, "--full-name", "Other"]) == 1

    captured = capsys.readouterr()
    assert captured.err == "campus-booking: An account with this email already exists.\n"
    assert captured.out == ""
    again = load_user(container, EMAIL)
    assert again is not None
    assert (again.id, again.full_name) == (first.id, "Root Admin")


def test_create_admin_refuses_a_weak_password(
    container: Container, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.ADMIN_PASSWORD_VARIABLE, "short")

    assert cli.run(container, CREATE_ADMIN) == 1

    assert capsys.readouterr().err == (
        "campus-booking: password: must be at least 8 characters long\n"
    )
    assert load_user(container, EMAIL) is None


def test_migrate_creates_the_tables_in_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty.db").touch()
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    assert table_names(url) == set()
    container = Container()
    container.settings.override(providers.Object(make_test_settings(url)))

    assert cli.run(container, ["migrate"]) == 0

    assert capsys.readouterr().out.startswith("created the schema: the database is now at ")
    assert {"users", "rooms", "room_features", "bookings"} <= table_names(url)

    assert cli.run(container, ["migrate"]) == 0

    assert capsys.readouterr().out.startswith("the database was already at the latest revision")


def test_migrate_from_an_older_revision_names_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")

    assert cli.run(container_on(url), ["migrate"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("migrated the database from revision 0004 to "), out


def container_on(url: str) -> Container:
    container = Container()
    container.settings.override(providers.Object(make_test_settings(url)))
    return container


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1, captured.err
    assert "Traceback" not in captured.err
    return captured.err


# aiosqlite's worker thread reports the failed connect once more after the loop has closed.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_migrate_into_a_folder_that_does_not_exist_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'campus.db'}"

    assert cli.run(container_on(url), ["migrate"]) == 1

    for thread in threading.enumerate():  # so that its late report lands in this test
        if thread.name.endswith("(_connection_worker_thread)"):
            thread.join(timeout=5)

    assert "check that its folder exists" in one_line_error(capsys)


def test_migrate_against_a_server_that_refuses_connections_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as closed:  # a port nobody listens on: bound, never listening
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/campus"

        assert cli.run(container_on(url), ["migrate"]) == 1

    assert f"cannot reach PostgreSQL at 127.0.0.1:{port}" in one_line_error(capsys)


@pytest.mark.postgres
def test_migrate_into_a_missing_postgresql_database_says_how_to_create_it(
    postgres_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(make_url(postgres_server_url).set(database="campus_never_created"))

    assert cli.run(container_on(url), ["migrate"]) == 1

    err = one_line_error(capsys)
    assert "database 'campus_never_created' does not exist" in err
    assert "createdb" in err


@pytest.mark.postgres
def test_migrate_as_an_unknown_postgresql_user_names_the_user(
    postgres_server_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(make_url(postgres_server_url).set(username="nobody_here"))

    assert cli.run(container_on(url), ["migrate"]) == 1

    assert "refused user 'nobody_here'" in one_line_error(capsys)


def test_serve_on_a_port_another_program_listens_on_exits_1_naming_the_port(
    container: Container, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "serve_asgi", lambda *a, **kw: pytest.fail("the server started"))
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]

        assert cli.run(container, ["serve", "--port", str(port)]) == 1

    assert f"cannot listen on 127.0.0.1:{port}" in one_line_error(capsys)


def test_serve_on_a_free_port_starts_the_server(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    monkeypatch.setattr(cli, "serve_asgi", lambda *a, **kw: started.append(kw["port"]))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert cli.run(container, ["serve", "--port", str(port)]) == 0

    assert started == [port]


def table_names(url: str) -> set[str]:
    async def read() -> set[str]:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as connection:
                return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
        finally:
            await engine.dispose()

    return asyncio.run(read())


@pytest.mark.parametrize("argv", [["migrate"], CREATE_ADMIN])
def test_a_configuration_error_exits_2_with_the_message(
    argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(cli.ADMIN_PASSWORD_VARIABLE, PASSWORD)
    container = Container()
    production = {"CAMPUS_BOOKING_ENV": "production"}
    container.settings.override(providers.Callable(Settings.from_environ, production))

    assert cli.run(container, argv) == 2

    err = capsys.readouterr().err
    assert err.startswith("campus-booking: configuration error: CAMPUS_BOOKING_JWT_SECRET must")
    assert "CAMPUS_BOOKING_ENV=production" in err
