"""The servers a benchmark drives: the service, its ceiling and its floors, each in a process
of its own, served the same way (granian with uvloop through the service's `serve_asgi`)."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve_command(target: str, *, factory: bool, port: int, workers: int) -> list[str]:
    """The service, the ceiling and the floors all go through the service's own `serve_asgi`."""
    code = (
        "from campus_booking.adapters.cli import serve_asgi; "
        f"serve_asgi({target!r}, factory={factory}, host='127.0.0.1', port={port}, "
        f"workers={workers})"
    )
    return [sys.executable, "-c", code]


class Server:
    """A server process and its workers; RSS is read from /proc."""

    def __init__(self, command: list[str], env: dict[str, str], port: int, ready_path: str):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + ready_path, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        sys.exit(f"server did not start; its log:\n{Path(self.log.name).read_text()}")

    @classmethod
    def of(
        cls, target: str, *, factory: bool, workers: int, env: dict[str, str], ready_path: str
    ) -> Server:
        """The ASGI app `target` (a factory if `factory`) on a free port, once it answers."""
        port = _free_port()
        command = _serve_command(target, factory=factory, port=port, workers=workers)
        return cls(command, env, port, ready_path)

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (the children of the server process)."""
        sizes = []
        for child in _children(self.process.pid):
            status = Path(f"/proc/{child}/status").read_text()
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(round(int(line.split()[1]) / 1024, 1))
        return sizes

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children
