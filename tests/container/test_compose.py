"""compose.yaml, as a real Compose tool reads it: the API, PostgreSQL 16 and Redis 7, started in
order (healthy databases, then the one-shot migration, then the API), in production mode, with
every secret from the environment files the README has the operator make.

`docker-compose config` (Debian's 1.29) or `docker compose config` validates the file against
the Compose schema and prints it resolved; the tests read that output. (podman-compose 1.0.3
has no `config` command.) Without either tool they skip; in CI they fail.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.container.conftest import PROJECT_ROOT, unavailable

COMPOSE_FILE = PROJECT_ROOT / "compose.yaml"
ENV_FILES = {
    "campus-booking.env": {
        "CAMPUS_BOOKING_JWT_SECRET": "a-secret-made-for-this-test-only-0123456789abcdef",
        "CAMPUS_BOOKING_DATABASE_URL": "postgresql+asyncpg://campus:pw@postgres:5432/campus",
    },
    "postgres.env": {"POSTGRES_PASSWORD": "pw"},
}
SECRETS = ("CAMPUS_BOOKING_JWT_SECRET", "CAMPUS_BOOKING_DATABASE_URL", "POSTGRES_PASSWORD")


def compose_tool() -> list[str] | None:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run(
            [docker, "compose", "version"], capture_output=True, timeout=30, check=False
        )
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    return [legacy] if legacy else None


@pytest.fixture(scope="module")
def tool() -> list[str]:
    found = compose_tool()
    if found is None:
        unavailable("no Compose tool to validate compose.yaml (apt-get install docker-compose)")
        raise AssertionError  # unreachable: unavailable skips or fails
    return found


def config(tool: list[str], source: str, directory: Path) -> subprocess.CompletedProcess[str]:
    """`config` of `source` beside the environment files, away from the checkout's own."""
    (directory / "compose.yaml").write_text(source)
    for name, variables in ENV_FILES.items():
        (directory / name).write_text("".join(f"{k}={v}\n" for k, v in variables.items()))
    return subprocess.run(
        [*tool, "--file", str(directory / "compose.yaml"), "config"],
        cwd=directory,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def resolved(tool: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    done = config(tool, COMPOSE_FILE.read_text(), tmp_path_factory.mktemp("compose"))
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = yaml.safe_load(done.stdout)
    return document


def service(resolved: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = resolved["services"][name]
    return found


def conditions(entry: dict[str, Any]) -> dict[str, str]:
    return {name: spec["condition"] for name, spec in entry["depends_on"].items()}


def test_the_tool_refuses_a_file_that_breaks_the_schema(tool: list[str], tmp_path: Path) -> None:
    broken = COMPOSE_FILE.read_text().replace("service_healthy", "service_sleepy", 1)

    done = config(tool, broken, tmp_path)

    assert done.returncode != 0, done.stdout


def test_the_api_postgresql_16_redis_7_and_a_migration_are_the_services(
    resolved: dict[str, Any],
) -> None:
    assert set(resolved["services"]) == {"api", "migrate", "postgres", "redis"}
    assert service(resolved, "postgres")["image"] == "postgres:16"
    assert service(resolved, "redis")["image"] == "redis:7"
    for name in ("api", "migrate"):
        assert service(resolved, name)["image"] == "campus-booking:latest"
        assert "build" in service(resolved, name)


def test_the_databases_have_health_checks_and_the_api_its_images(
    resolved: dict[str, Any],
) -> None:
    postgres = service(resolved, "postgres")["healthcheck"]["test"]
    redis = service(resolved, "redis")["healthcheck"]["test"]
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()

    assert "pg_isready" in " ".join(postgres)
    assert redis[-2:] == ["redis-cli", "ping"]
    assert "healthcheck" not in service(resolved, "api")  # the image's HEALTHCHECK applies
    assert "HEALTHCHECK" in dockerfile
    assert "/health/ready" in dockerfile


def test_the_api_starts_after_healthy_databases_and_a_finished_migration(
    resolved: dict[str, Any],
) -> None:
    migrate = service(resolved, "migrate")

    assert conditions(service(resolved, "api")) == {
        "postgres": "service_healthy",
        "redis": "service_healthy",
        "migrate": "service_completed_successfully",
    }
    assert conditions(migrate) == {"postgres": "service_healthy"}
    assert migrate["command"] == ["campus-booking", "migrate"]
    assert migrate["restart"] == "no"


def test_postgresql_keeps_its_data_in_a_named_volume(resolved: dict[str, Any]) -> None:
    (mount,) = service(resolved, "postgres")["volumes"]
    if isinstance(mount, str):  # docker-compose 1.x: "source:target:mode"
        source, target, *_ = mount.split(":")
    else:
        source, target = mount["source"], mount["target"]

    assert source == "postgres-data"
    assert target == "/var/lib/postgresql/data"
    assert "postgres-data" in resolved["volumes"]


def test_the_service_runs_in_production_mode_with_secrets_from_the_env_files(
    resolved: dict[str, Any],
) -> None:
    ours = ENV_FILES["campus-booking.env"]
    for name in ("api", "migrate"):
        environment = service(resolved, name)["environment"]
        assert environment["CAMPUS_BOOKING_ENV"] == "production"
        assert environment["CAMPUS_BOOKING_REDIS_URL"] == "redis://redis:6379/0"
        for variable, value in ours.items():
            assert environment[variable] == value
        assert "POSTGRES_PASSWORD" not in environment  # each service gets its own file
    postgres = service(resolved, "postgres")["environment"]
    assert postgres["POSTGRES_PASSWORD"] == ENV_FILES["postgres.env"]["POSTGRES_PASSWORD"]
    assert "CAMPUS_BOOKING_JWT_SECRET" not in postgres


def test_no_secret_is_written_in_the_compose_file_itself() -> None:
    source = yaml.safe_load(COMPOSE_FILE.read_text())

    for name, entry in source["services"].items():
        written = set(entry.get("environment") or {})
        assert written.isdisjoint(SECRETS), f"{name} sets {written & set(SECRETS)}"
    assert source["services"]["api"]["env_file"] == "campus-booking.env"
    assert source["services"]["migrate"]["env_file"] == "campus-booking.env"
    assert source["services"]["postgres"]["env_file"] == "postgres.env"
