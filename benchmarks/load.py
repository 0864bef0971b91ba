"""Load from wrk: one of our Lua scripts against one URL, and the figures it reports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.servers import ROOT, Server

LUA = ROOT / "benchmarks" / "wrk"


@dataclass
class Options:
    duration: int
    warmup: int
    connections: int
    threads: int
    workers: int
    database: str
    table_sizes: tuple[int, ...]
    only: str | None = None


@dataclass
class Result:
    workload: str
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]
    rss_mb_per_worker: list[float]
    ratio_to_ceiling: float | None = None
    notes: str = ""
    # The same requests against the workload's floor, measured right after it.
    floor: Result | None = None
    ratio_to_floor: float | None = None


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)...", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        found = shutil.which("wrk")
    if not found:
        sys.exit("wrk is needed: install it (Debian: apt-get install wrk) and run again")
    return found


def wrk(
    options: Options,
    url: str,
    script: Path,
    *,
    duration: int | None = None,
    connections: int | None = None,
    threads: int | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run wrk with one of our Lua scripts; its `done` prints one JSON line we parse."""
    command = [
        ensure_wrk(),
        f"-t{threads or options.threads}",
        f"-c{connections or options.connections}",
        f"-d{duration or options.duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    result = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    for line in result.stdout.splitlines():
        if line.startswith("JSON "):
            return dict(json.loads(line[5:]))
    raise RuntimeError(f"wrk printed no summary:\n{result.stdout}\n{result.stderr}")


def rooms_env(name: str, room_ids: list[str]) -> dict[str, str]:
    """The rooms a wrk script books in turn (`WRK_ROOMS`), written to a Lua file of its own."""
    path = LUA / f"{name}.generated.lua"
    path.write_text("return {" + ",".join(f'"{room}"' for room in room_ids) + "}\n")
    return {"WRK_ROOMS": str(path)}


def slots_from(moment: datetime) -> dict[str, str]:
    """Where a wrk script's free slots begin (`WRK_FROM_EPOCH`)."""
    return {"WRK_FROM_EPOCH": str(int(moment.timestamp()))}


def measure(
    options: Options,
    server: Server,
    name: str,
    path: str,
    script: str,
    *,
    expected: set[int],
    env: dict[str, str] | None = None,
    notes: str = "",
) -> Result:
    """A warm-up, then the measured run, each as long as the options say."""
    url = server.url + path
    lua = LUA / script
    print(f"  {name}: warm-up {options.warmup}s, run {options.duration}s", flush=True)
    wrk(options, url, lua, duration=options.warmup, env={**(env or {}), "WRK_PHASE": "0"})
    summary = wrk(options, url, lua, env={**(env or {}), "WRK_PHASE": "1"})
    return summarized(name, summary, expected, server.worker_rss_mb(), notes)


def summarized(
    name: str, summary: dict[str, Any], expected: set[int], rss: list[float], notes: str
) -> Result:
    """wrk's summary as a `Result`; a status not `expected` counts as an error."""
    statuses = {str(code): count for code, count in summary["statuses"].items()}
    unexpected = sum(count for code, count in statuses.items() if int(code) not in expected)
    return Result(
        workload=name,
        requests_per_s=round(summary["requests"] / (summary["duration_us"] / 1e6), 1),
        p50_ms=round(summary["p50_us"] / 1000, 2),
        p99_ms=round(summary["p99_us"] / 1000, 2),
        errors=unexpected + summary["socket_errors"],
        statuses=statuses,
        rss_mb_per_worker=rss,
        notes=notes,
    )
