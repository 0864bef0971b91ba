"""The image runs the service the way production does: non-root, migrated and administered
through its own CLI, healthy, signed into, documented, and stopped cleanly by SIGTERM."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest

from campus_booking.adapters.cli import DRAIN_SECONDS
from tests.container.conftest import (
    Image,
    Prepared,
    Service,
    remove,
    run_once,
    start,
)
from tests.container.podman import Podman
from tests.race.conftest import ADMIN_EMAIL, PASSWORD, free_port

pytestmark = pytest.mark.postgres

MAX_IMAGE_BYTES = 250_000_000
KILLED_A_WORKER = "refused to gracefully stop"  # granian's warning before it SIGKILLs one
# No file in the image holds the bundle lent to the build: its size finds the candidates.
FIND_SECRET = """
import hashlib, os, sys
size, digest = int(sys.argv[1]), sys.argv[2]
for root, dirs, files in os.walk("/"):
    dirs[:] = [d for d in dirs if os.path.join(root, d) not in ("/proc", "/sys", "/dev")]
    for name in files:
        path = os.path.join(root, name)
        try:
            if os.path.isfile(path) and not os.path.islink(path) and os.path.getsize(path) == size:
                if hashlib.sha256(open(path, "rb").read()).hexdigest() == digest:
                    print(path)
        except OSError:
            pass
"""


def test_the_container_runs_as_a_user_other_than_root(podman: Podman, image: Image) -> None:
    uid = podman.run("run", "--rm", image.name, "id", "-u").stdout.strip()
    user = podman.run("image", "inspect", "--format", "{{.Config.User}}", image.name).stdout

    assert uid.isdigit(), uid
    assert int(uid) != 0
    assert user.strip() not in {"", "root", "0"}, user


def test_no_file_of_the_image_holds_the_secret_lent_to_the_build(
    podman: Podman, image: Image
) -> None:
    if image.secret is None:
        pytest.skip("no certificate bundle was lent to this build")
    content = image.secret.read_bytes()
    digest = hashlib.sha256(content).hexdigest()

    found = podman.run(
        *("run", "--rm", "--user", "0", image.name),
        *("python3", "-c", FIND_SECRET, str(len(content)), digest),
    ).stdout

    assert found == "", f"the build's secret is in the image at: {found}"


def test_the_image_stays_under_its_size_budget(podman: Podman, image: Image) -> None:
    size = int(podman.run("image", "inspect", "--format", "{{.Size}}", image.name).stdout)

    assert size < MAX_IMAGE_BYTES, f"{size / 1e6:.0f} MB"


def test_migrate_and_create_admin_run_through_the_image(
    podman: Podman, image: Image, container_database_url: str, prepared: Prepared
) -> None:
    again = run_once(podman, image, container_database_url, "campus-booking", "migrate")

    assert "created the schema" in prepared.migrated, prepared.migrated
    assert f"created admin {ADMIN_EMAIL}" in prepared.admin_created, prepared.admin_created
    assert "already at the latest revision" in again, again


def test_the_service_is_ready_and_its_health_check_passes(podman: Podman, service: Service) -> None:
    ready = httpx.get(f"{service.url}/health/ready", timeout=5)
    check = podman.run("healthcheck", "run", service.container, check=False)

    assert ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}
    assert check.returncode == 0, f"{check.stdout}{check.stderr}\n{service.logs(podman)}"


def test_the_health_check_fails_while_the_database_does_not_answer(
    podman: Podman, image: Image
) -> None:
    nowhere = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/nothing"
    service = start(podman, image, nowhere, until="/health")
    try:
        check = podman.run("healthcheck", "run", service.container, check=False)
    finally:
        remove(podman, service)

    assert check.returncode != 0, check.stdout


def test_the_first_admin_signs_in_and_reads_their_account(service: Service) -> None:
    with httpx.Client(base_url=service.url, timeout=10) as http:
        login = http.post("/auth/login", data={"username": ADMIN_EMAIL, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        me = http.get("/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert me.status_code == 200, me.text
    assert me.json()["email"] == ADMIN_EMAIL
    assert me.json()["role"] == "ADMIN"


def test_the_swagger_ui_loads(service: Service) -> None:
    docs = httpx.get(f"{service.url}/docs", timeout=10)

    assert docs.status_code == 200, docs.text
    assert docs.headers["content-type"].startswith("text/html")
    assert "swagger" in docs.text.lower()


def test_sigterm_stops_the_container_cleanly_within_the_drain_time(
    podman: Podman, image: Image, container_database_url: str, prepared: Prepared
) -> None:
    service = start(podman, image, container_database_url)
    try:
        signalled = time.monotonic()
        # podman stop sends the image's STOPSIGNAL (SIGTERM) and SIGKILLs only after the wait.
        podman.run("stop", "--time", str(DRAIN_SECONDS + 5), service.container, timeout=60)
        took = time.monotonic() - signalled
        state = podman.run(
            "inspect", "--format", "{{.State.ExitCode}} {{.State.Status}}", service.container
        ).stdout.split()
        logs = service.logs(podman)
    finally:
        remove(podman, service)

    assert state == ["0", "exited"], f"{state}\n{logs}"
    assert took < DRAIN_SECONDS, f"{took:.1f} s\n{logs}"
    assert KILLED_A_WORKER not in logs, logs
