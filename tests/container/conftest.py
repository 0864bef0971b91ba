"""The image built from the unchanged Dockerfile, and the service running from it.

podman builds and runs it (no Docker daemon is needed), on the host's network, against the
PostgreSQL the rest of the suite uses, in a database of its own. Without podman (or without a
way to get the base image) the tests skip and say why; in CI (`CI=true`) they fail instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import TEST_SECRET, _execute, in_ci
from tests.container import base_image
from tests.container.podman import SANDBOX_CONF, Podman
from tests.race.conftest import ADMIN_EMAIL, PASSWORD, free_port

PROJECT_ROOT = Path(__file__).resolve().parents[2]
IMAGE = "localhost/campus-booking:test"
BUILD_SECONDS = 900  # a cold build downloads Debian's python3 and every wheel
READY_SECONDS = 60
# The TLS bundle pip needs where the package index is reached through a proxy of the site's.
CA_BUNDLE = Path(os.environ.get("PIP_CERT", "/etc/ssl/certs/ca-certificates.crt"))


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"container tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def podman() -> Podman:
    found = Podman.find()
    if found is None:
        unavailable("podman is not installed (apt-get install podman runc)")
        raise AssertionError  # unreachable: unavailable skips or fails
    if "CONTAINERS_CONF" not in os.environ and shutil.which("runc") is None:
        unavailable(f"{SANDBOX_CONF.name} runs containers with runc: apt-get install runc")
    return found


@dataclass(frozen=True)
class Image:
    name: str
    secret: Path | None  # the bundle lent to the build, if any


@pytest.fixture(scope="session")
def image(podman: Podman) -> Image:
    """`podman build` of the Dockerfile as it is (its layers cached between runs)."""
    if not podman.image_exists(base_image.BASE_IMAGE):
        reason = base_image.unavailable()
        if reason:
            unavailable(reason)
        base_image.ensure(podman)
    secret = CA_BUNDLE if CA_BUNDLE.is_file() else None
    lent = ["--secret", f"id=ca,src={secret}"] if secret else []
    previous = image_id(podman)
    podman.run(
        # Docker's format keeps the HEALTHCHECK (OCI images have no such field).
        *("build", "--format", "docker", "--network", "host", *lent, "--tag", IMAGE),
        str(PROJECT_ROOT),
        timeout=BUILD_SECONDS,
    )
    if previous and previous != image_id(podman):
        podman.run("rmi", previous, check=False)  # the last run's image, now untagged
    return Image(IMAGE, secret)


def image_id(podman: Podman) -> str | None:
    found = podman.run("image", "inspect", "--format", "{{.Id}}", IMAGE, check=False)
    return found.stdout.strip() if found.returncode == 0 else None


@pytest.fixture(scope="module")
def container_database_url(postgres_server_url: str) -> Iterator[str]:
    """An empty database of the container's own, dropped afterwards."""
    name = f"container_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_execute(postgres_server_url, f'CREATE DATABASE "{name}"', autocommit=True))
    try:
        yield make_url(postgres_server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(
            _execute(postgres_server_url, f'DROP DATABASE "{name}" WITH (FORCE)', autocommit=True)
        )


def settings(database_url: str, port: int | None = None) -> list[str]:
    """`-e` options: production mode, as the image sets it, with the test's secret and costs."""
    environment = {
        "CAMPUS_BOOKING_DATABASE_URL": database_url,
        "CAMPUS_BOOKING_JWT_SECRET": TEST_SECRET,
        "CAMPUS_BOOKING_BCRYPT_ROUNDS": "4",
        "CAMPUS_BOOKING_WORKERS": "1",
        **({"CAMPUS_BOOKING_PORT": str(port)} if port else {}),
    }
    return [option for key, value in environment.items() for option in ("-e", f"{key}={value}")]


def run_once(
    podman: Podman, image: Image, database_url: str, *command: str, extra: tuple[str, ...] = ()
) -> str:
    """One command through the image (`podman run --rm`); its output, or a failure."""
    done = podman.run(
        *("run", "--rm", "--network", "host", *settings(database_url), *extra, image.name),
        *command,
    )
    return done.stdout + done.stderr


@dataclass(frozen=True)
class Service:
    container: str
    url: str

    def logs(self, podman: Podman) -> str:
        done = podman.run("logs", self.container, check=False)
        return done.stdout + done.stderr


def start(podman: Podman, image: Image, database_url: str, until: str = "/health/ready") -> Service:
    """The image's own command, detached, on a free port; returns once `until` answers 200."""
    port = free_port()
    name = f"campus-booking-test-{uuid.uuid4().hex[:8]}"
    podman.run(
        *("run", "--detach", "--name", name, "--network", "host"),
        *settings(database_url, port),
        image.name,
    )
    service = Service(name, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{service.url}{until}", timeout=2).status_code == 200:
                return service
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    logs = service.logs(podman)
    remove(podman, service)
    pytest.fail(f"{until} did not answer 200 within {READY_SECONDS} s:\n{logs}")


def remove(podman: Podman, service: Service) -> None:
    podman.run("rm", "--force", "--time", "0", service.container, check=False)


@dataclass(frozen=True)
class Prepared:
    migrated: str
    admin_created: str


@pytest.fixture(scope="module")
def prepared(podman: Podman, image: Image, container_database_url: str) -> Prepared:
    """The database migrated and its first admin made, each by the image's CLI."""
    migrated = run_once(podman, image, container_database_url, "campus-booking", "migrate")
    admin_created = run_once(
        podman,
        image,
        container_database_url,
        *("campus-booking", "create-admin", "--email", ADMIN_EMAIL, "--full-name", "Ada Admin"),
        extra=("-e", f"CAMPUS_BOOKING_ADMIN_PASSWORD={PASSWORD}"),
    )
    return Prepared(migrated, admin_created)


@pytest.fixture(scope="module")
def service(
    podman: Podman, image: Image, container_database_url: str, prepared: Prepared
) -> Iterator[Service]:
    running = start(podman, image, container_database_url)
    try:
        yield running
    finally:
        remove(podman, running)
