"""The README's walk-through, run as written against a real server: twice, since people do.

The shell block under "From sign-up to an approved booking" is taken from the README itself,
so the test fails when the text and the service drift apart.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import in_ci
from tests.race.conftest import PROJECT_ROOT, Server, server_environment

HEADING = "### From sign-up to an approved booking"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def walkthrough() -> str:
    readme = (PROJECT_ROOT / "README.md").read_text()
    section = readme[readme.index(HEADING) :]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the walk-through has no sh block"
    return match.group(1)


def test_the_readme_walkthrough_runs_twice_printing_one_line_per_step(server: Server) -> None:
    if shutil.which("curl") is None:
        if in_ci():
            pytest.fail("the README walk-through must run in CI, and it needs curl")
        pytest.skip("the README walk-through uses curl, which this machine lacks")
    environment = {**server_environment(server.database_url), "API": server.url}
    for run in (1, 2):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

        assert done.returncode == 0, f"run {run}:\n{done.stdout}\n{done.stderr}"
        lines = [line for line in done.stdout.splitlines() if not line.startswith("created admin")]
        assert len(lines) == 5, f"run {run}: {done.stdout}"
        assert re.fullmatch(f"room {UUID}", lines[0]), lines
        assert lines[1:] == ["sign-up 201", lines[2], "APPROVED", "1"], lines
        assert re.fullmatch(f"booking {UUID}", lines[2]), lines
        assert "Traceback" not in done.stderr, done.stderr
