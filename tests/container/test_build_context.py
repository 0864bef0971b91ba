"""What goes into the image's build: no development environment, database, secret or cache,
and the dependencies of `requirements.lock` without the development tools."""

from __future__ import annotations

import re
import tomllib
from fnmatch import fnmatch

import pytest

from tests.container.conftest import PROJECT_ROOT

# A pin's first line: name, then version and markers (where it applies), up to the hashes.
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\\\n]+)", re.MULTILINE)
HASH = re.compile(r"--hash=(sha256:[0-9a-f]{64})")
DEV_TOOLS = ("pytest", "mypy", "ruff", "playwright", "hypothesis", "schemathesis")


def ignored(path: str) -> bool:
    """Whether a path of the checkout is left out by `.dockerignore` (its patterns, no `!`)."""
    patterns = [
        line.strip()
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        bare = pattern.removeprefix("**/")
        if any(fnmatch(prefix, pattern) for prefix in prefixes):
            return True
        if pattern.startswith("**/") and any(fnmatch(part, bare) for part in parts):
            return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "campus_booking.db",
        "campus_booking.db-wal",
        ".campus-booking-secret",
        "campus-booking.env",
        "postgres.env",
        "src/campus_booking/__pycache__/main.cpython-311.pyc",
        ".pytest_cache/v/cache/nodeids",
        ".mypy_cache/3.11/x.json",
        "tools/node/node_modules/.installed",
    ],
)
def test_the_build_context_leaves_out(path: str) -> None:
    assert ignored(path)


@pytest.mark.parametrize(
    "path",
    [
        "requirements-runtime.lock",
        "pyproject.toml",
        "README.md",
        "src/campus_booking/main.py",
        "alembic.ini",
        "migrations/env.py",
    ],
)
def test_the_build_context_keeps_what_the_image_needs(path: str) -> None:
    assert not ignored(path)


def pins(name: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Each package of a lock file: its version and markers, and its hashes."""
    text = (PROJECT_ROOT / name).read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text)
    found = {}
    for entry in entries:
        pin = PIN.match(entry)
        if pin:
            found[pin[1].lower()] = (pin[2].strip(), frozenset(HASH.findall(entry)))
    return found


def test_the_runtime_lock_pins_what_the_full_lock_pins_without_the_development_tools() -> None:
    runtime, full = pins("requirements-runtime.lock"), pins("requirements.lock")
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    needed = {
        re.split(r"[<>=;\[ ]", spec, maxsplit=1)[0].lower() for spec in project["dependencies"]
    }

    assert runtime, "no pins read"
    assert {name: pin for name, pin in runtime.items() if full.get(name) != pin} == {}
    assert needed <= set(runtime), needed - set(runtime)
    assert set(DEV_TOOLS).isdisjoint(runtime)
