"""Workloads measured beside a flood: GET /auth/me beside logins, sign-ins beside sign-ups."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from typing import Any

from benchmarks.load import LUA, Options, Result, ensure_wrk, summarized, wrk
from benchmarks.servers import ROOT, Server

SIGN_IN_BESIDE_SIGN_UPS = "sign-in-beside-sign-ups"


def sign_in_beside_sign_ups(
    options: Options, service: Server, email: str, password: str
) -> Iterator[Result]:
    """Sign-ins at full bcrypt cost, alone and beside a flood of sign-ups.

    Two connections sign in in a loop. The flood is 48 connections registering fresh emails,
    each from a fresh address (so no per-address limit stops it): every request is worth a
    hash, and only the hashing budgets keep the sign-ins' share.
    """
    logins = {"WRK_EMAIL": email, "WRK_PASSWORD": password}
    url = service.url + "/auth/login"
    print("  sign-in alone", flush=True)
    wrk(
        options,
        url,
        LUA / "login.lua",
        connections=2,
        threads=1,
        duration=options.warmup,
        env=logins,
    )
    alone = summarized(
        "POST /auth/login alone",
        wrk(options, url, LUA / "login.lua", connections=2, threads=1, env=logins),
        {200},
        service.worker_rss_mb(),
        "2 connections, bcrypt cost 12",
    )
    yield alone
    print("  sign-in beside a sign-up flood", flush=True)
    flood = _flood(options, service.url + "/auth/register", "register.lua", 48, {})
    beside, flood_summary = _measured_beside(
        options,
        service,
        flood,
        "POST /auth/login beside a sign-up flood",
        url,
        "login.lua",
        logins,
        connections=2,
        threads=1,
    )
    seconds = flood_summary["duration_us"] / 1e6
    statuses = ", ".join(
        f"{count / seconds:.0f}/s {code}"
        for code, count in sorted(flood_summary["statuses"].items())
    )
    beside.notes = (
        f"48 connections signing up alongside ({statuses}); p99 "
        f"{beside.p99_ms / alone.p99_ms:.2f}x the p99 of sign-in alone"
    )
    yield beside


def me_beside_logins(
    options: Options,
    service: Server,
    as_student: dict[str, str],
    logins: dict[str, str],
    me_alone: Result,
) -> Result:
    print("  GET /auth/me beside logins at full bcrypt cost", flush=True)
    flood = _flood(options, service.url + "/auth/login", "login.lua", 4, logins)
    result, login_summary = _measured_beside(
        options,
        service,
        flood,
        "GET /auth/me beside logins",
        service.url + "/auth/me",
        "get.lua",
        as_student,
    )
    login_rate = login_summary["requests"] / (login_summary["duration_us"] / 1e6)
    result.notes = (
        f"{login_rate:.1f} logins/s alongside; p99 {result.p99_ms / me_alone.p99_ms:.2f}x "
        f"the p99 of GET /auth/me alone"
    )
    return result


def _flood(
    options: Options, url: str, script: str, connections: int, env: dict[str, str]
) -> subprocess.Popen[str]:
    """wrk in the background for the warm-up and the measured run, and two seconds more."""
    return subprocess.Popen(  # noqa: S603
        [
            ensure_wrk(),
            "-t1",
            f"-c{connections}",
            f"-d{options.warmup + options.duration + 2}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA / script),
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, **env},
    )


def _measured_beside(
    options: Options,
    service: Server,
    flood: subprocess.Popen[str],
    name: str,
    url: str,
    script: str,
    env: dict[str, str],
    **sizes: int,
) -> tuple[Result, dict[str, Any]]:
    """`url` measured once the flood has warmed up (no warm-up of its own), and the flood's
    own wrk summary."""
    time.sleep(options.warmup)
    summary = wrk(options, url, LUA / script, env=env, **sizes)
    result = summarized(name, summary, {200}, service.worker_rss_mb(), "")
    out, _ = flood.communicate()
    flood_summary = json.loads(
        next(line[5:] for line in out.splitlines() if line.startswith("JSON "))
    )
    return result, dict(flood_summary)
