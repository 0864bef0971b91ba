"""A real server and a real headless Chromium, for tests of what a person sees in a browser.

Playwright cannot download its own browsers here, so the tests drive the system Chromium.
Without it they skip and say why; in CI (`CI=true`) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.conftest import in_ci
from tests.race.conftest import Server, create_admin, start_server, stop

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless system Chromium, one per module."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"no Chromium at {CHROMIUM}: install it (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _unavailable(f"the playwright package is not installed: {error}")
        raise AssertionError from error  # unreachable: _unavailable skips or fails
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def docs_server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`campus-booking serve` on a fresh migrated SQLite database holding one admin."""
    directory = tmp_path_factory.mktemp("browser")
    database = directory / "campus_booking.db"
    shutil.copyfile(sqlite_template, database)
    process, running = start_server(f"sqlite+aiosqlite:///{database}", directory / "server.log")
    try:
        create_admin(running.database_url)
        yield running
    finally:
        stop(process)
