"""A second server on a port that one already serves is refused, never started beside it.

The server binds with SO_REUSEPORT; without the check, two servers on two databases would
share the port and split its requests between them.
"""

from __future__ import annotations

import subprocess
from urllib.parse import urlsplit

import httpx

from tests.race.conftest import CLI, PROJECT_ROOT, STARTUP_SECONDS, Server, server_environment


def test_a_second_server_on_a_served_port_exits_with_one_line(
    server: Server, http: httpx.AsyncClient
) -> None:
    address = urlsplit(server.url)
    second = subprocess.run(
        [CLI, "serve", "--host", str(address.hostname), "--port", str(address.port)],
        cwd=PROJECT_ROOT,
        env=server_environment(server.database_url),
        capture_output=True,
        text=True,
        timeout=STARTUP_SECONDS,
        check=False,
    )

    assert second.returncode == 1, second.stdout + second.stderr
    assert second.stderr.count("\n") == 1, second.stderr
    assert f"cannot listen on {address.hostname}:{address.port}" in second.stderr
    assert httpx.get(f"{server.url}/health").status_code == 200  # the first one still serves
