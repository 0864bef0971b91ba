"""podman, run as the container tests need it: settings of this sandbox, the host's network."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# This sandbox's settings (see the file), used unless CONTAINERS_CONF names others.
SANDBOX_CONF = Path(__file__).with_name("containers.conf")


@dataclass(frozen=True)
class Podman:
    executable: str

    @classmethod
    def find(cls) -> Podman | None:
        executable = shutil.which("podman")
        return cls(executable) if executable else None

    def environment(self) -> dict[str, str]:
        environ = dict(os.environ)
        environ.setdefault("CONTAINERS_CONF", str(SANDBOX_CONF))
        return environ

    def run(
        self, *args: str, check: bool = True, timeout: float = 120, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        """`podman ARGS`; with `check`, a failure raises with podman's own words."""
        done = subprocess.run(
            [self.executable, *args],
            env=self.environment(),
            input=stdin.decode() if stdin is not None else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and done.returncode != 0:
            raise AssertionError(
                f"podman {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
            )
        return done

    def image_exists(self, name: str) -> bool:
        return self.run("image", "exists", name, check=False).returncode == 0
