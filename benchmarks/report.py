"""A run's figures, as the Markdown table and the JSON file written under benchmarks/results/."""

from __future__ import annotations

from dataclasses import dataclass, field

from benchmarks.load import Result


@dataclass
class Run:
    date: str
    machine: str
    database: str
    server: str
    workers: int
    connections: int
    duration_s: int
    warmup_s: int
    results: list[Result] = field(default_factory=list)


def markdown(bench: Run) -> str:
    """One row per workload; a workload's floor follows it on a row of its own."""
    lines = [
        f"Run {bench.date} on {bench.machine}; {bench.database}; {bench.server}, "
        f"{bench.workers} workers; wrk {bench.connections} connections, "
        f"{bench.warmup_s} s warm-up + {bench.duration_s} s per workload.",
        "",
        "| Workload | req/s | share of ceiling | share of floor | p50 ms | p99 ms | errors "
        "| RSS MB/worker | notes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for result in bench.results:
        lines.append(_row(result))
        if result.floor is not None:
            lines.append(_row(result.floor))
    return "\n".join(lines) + "\n"


def _row(r: Result) -> str:
    rss = ", ".join(f"{size:.0f}" for size in r.rss_mb_per_worker)
    return (
        f"| {r.workload} | {r.requests_per_s:,.0f} | {_share(r.ratio_to_ceiling)} | "
        f"{_share(r.ratio_to_floor)} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.errors} | {rss} "
        f"| {r.notes} |"
    )


def _share(ratio: float | None) -> str:
    return "" if ratio is None else format(ratio, ".0%")
