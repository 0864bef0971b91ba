"""The base image the Dockerfile names, made locally where no registry can provide it.

The test machine has no container registry, so `debian:bookworm-slim` is made from a
debootstrap of Debian bookworm (minbase), trimmed and configured as the official slim image is
(no manuals, documentation or translations; apt keeps no downloaded packages), and imported
under that name. The image stays in podman's storage and the archive in the user's cache, so
the slow step (about 30 s) runs once per machine: `python -m tests.container.base_image`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.container.podman import Podman

BASE_IMAGE = "docker.io/library/debian:bookworm-slim"
SUITE = "bookworm"

# What the official slim image configures (debuerreotype's slim and docker settings).
DPKG_EXCLUDES = """\
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
"""
APT_CLEAN = """\
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
"""  # noqa: E501 (apt's own syntax)
TRIMMED = (
    "./var/cache/apt/archives/*.deb",
    "./var/lib/apt/lists/*",
    "./usr/share/doc/*",
    "./usr/share/man/*",
    "./usr/share/info/*",
    "./usr/share/locale/*",
)


def cache_directory() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "campus-booking"


def archive_path() -> Path:
    return cache_directory() / f"debian-{SUITE}-slim.tar"


def unavailable() -> str | None:
    """Why the base image cannot be made here, or None when it can (or exists)."""
    if archive_path().exists():
        return None
    if shutil.which("debootstrap") is None:
        return f"no {BASE_IMAGE} image and no debootstrap to make one (apt-get install debootstrap)"
    if os.geteuid() != 0:
        return f"no {BASE_IMAGE} image, and debootstrap needs root to make one"
    return None


def ensure(podman: Podman) -> None:
    """Imports the base image unless podman has it, bootstrapping its archive if need be."""
    if podman.image_exists(BASE_IMAGE):
        return
    archive = archive_path()
    if not archive.exists():
        bootstrap(archive)
    podman.run("import", str(archive), BASE_IMAGE, timeout=300)


def bootstrap(archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=archive.parent, prefix="rootfs-") as scratch:
        rootfs = Path(scratch) / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", SUITE, str(rootfs)],
            check=True,
            capture_output=True,
            timeout=900,
        )
        (rootfs / "etc/dpkg/dpkg.cfg.d/docker").write_text(DPKG_EXCLUDES)
        (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(APT_CLEAN)
        draft = archive.with_suffix(".draft")
        excludes = [f"--exclude={pattern}" for pattern in TRIMMED]
        subprocess.run(
            ["tar", "-C", str(rootfs), *excludes, "-cf", str(draft), "."],
            check=True,
            timeout=300,
        )
        draft.replace(archive)  # whole or not at all, should this be interrupted


if __name__ == "__main__":
    found = Podman.find()
    if found is None:
        raise SystemExit("podman is not installed")
    reason = unavailable()
    if reason and not found.image_exists(BASE_IMAGE):
        raise SystemExit(reason)
    ensure(found)
    print(f"{BASE_IMAGE} is ready")
