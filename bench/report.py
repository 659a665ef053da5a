"""The run's results: a JSON file, a PNG plot, and tables on the console."""

import json
import logging
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt
from rich.console import Console
from rich.table import Table

from bench import engine
from bench.model import PATHS
from bench.resources import KINDS

log = logging.getLogger(__name__)


def write_json(results: dict[str, Any], path: Path) -> None:
    """Write the results as indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")


def _series(levels: list[dict[str, Any]], path: str, key: str) -> tuple[list[int], list[float]]:
    xs, ys = [], []
    for level in levels:
        value = (level.get(path) or {}).get("summary", {}).get(key)
        if value is not None:
            xs.append(level["concurrency"])
            ys.append(value)
    return xs, ys


def write_plot(results: dict[str, Any], path: Path) -> None:
    """Plot throughput and p50/p95 latency against concurrency, workflow against baseline."""
    levels = [level for level in results["levels"] if any(level.get(name) for name in PATHS)]
    if not levels:
        log.info("no level finished: no plot")
        return
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    for name, marker in zip(PATHS, ("o", "s", "^"), strict=True):
        left.plot(*_series(levels, name, "orders_per_s"), marker=marker, label=name)
        for key, style in (("p50_ms", "-"), ("p95_ms", "--")):
            right.plot(*_series(levels, name, key), style, marker=marker, label=f"{name} {key[:3]}")
    left.set(title="Throughput", xlabel="concurrent orders", ylabel="orders/s", xscale="log")
    right.set(title="Latency, start to delivered", xlabel="concurrent orders", ylabel="ms", xscale="log")
    if any(_series(levels, name, "p50_ms")[1] for name in PATHS):
        right.set_yscale("log")
    for axes in (left, right):
        concurrency = [level["concurrency"] for level in levels]
        axes.set_xticks(concurrency, [str(c) for c in concurrency])
        axes.grid(True, which="both", alpha=0.3)
        axes.legend()
    fig.suptitle(f"pizza bench {results['run_id']}" + ("" if results["valid"] else " (NOT VALID)"))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _pair(ratio: dict[str, Any], key: str) -> str:
    if ratio.get(f"{key}throughput") is None:
        return "-"
    return f"{_num(ratio.get(f'{key}throughput'), 3)}, {_num(ratio.get(f'{key}p50'), 2)}"


def summary_table(results: dict[str, Any]) -> Table:
    """Return throughput, latency percentiles and failures per level, with the ratio of the paths."""
    tracing = results.get("plan", {}).get("tracing", "on")
    table = Table(title=f"Throughput and latency (start -> delivered), tracing {tracing}")
    columns = (
        "c",
        "path",
        "orders",
        "ok",
        "failed",
        "lost",
        "retries",
        "orders/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
    )
    for column in columns:
        table.add_column(column, justify="left" if column == "path" else "right")
    table.add_column("workflow / baseline: orders/s, p50", justify="right")
    table.add_column("workflow / floor: orders/s, p50", justify="right")
    for level in results["levels"]:
        ratio = level.get("ratio") or {}
        for name in PATHS:
            s = (level.get(name) or {}).get("summary")
            if s is None:
                continue
            bad = s["failed"] or s["lost"]
            table.add_row(
                str(level["concurrency"]),
                name,
                str(s["orders"]),
                str(s["ok"]),
                f"[red]{s['failed']}[/]" if s["failed"] else "0",
                f"[red]{s['lost']}[/]" if s["lost"] else "0",
                str((level.get(name) or {}).get("retries", "-")) if name == "baseline" else "-",
                _num(s["orders_per_s"], 2),
                _num(s["p50_ms"]),
                _num(s["p95_ms"]),
                _num(s["p99_ms"]),
                _pair(ratio, "") if name == "workflow" else "",
                _pair(ratio, "floor_") if name == "workflow" else "",
                style="red" if bad else None,
            )
    return table


def breakdown_table(results: dict[str, Any]) -> Table:
    """Return the median time of each step of an order, per level and path."""
    table = Table(title="Per-step breakdown (median ms over a sample of each level's orders)")
    table.add_column("step")
    levels = [level for level in results["levels"] if level.get("workflow") or level.get("baseline")]
    for level in levels:
        table.add_column(f"c={level['concurrency']}", justify="right")
    for name in PATHS:
        steps: list[str] = []
        for level in levels:
            for step in ((level.get(name) or {}).get("breakdown") or {}).get("segments_ms", {}):
                if step not in steps:
                    steps.append(step)
        if not steps:
            continue
        table.add_section()
        for step in [*steps, "end to end (bench's clock)"]:
            row = [f"{name}: {step}"]
            for level in levels:
                found = (level.get(name) or {}).get("breakdown") or {}
                value = (
                    found.get("end_to_end_ms")
                    if step.startswith("end to end")
                    else found.get("segments_ms", {}).get(step)
                )
                row.append(_num(value))
            table.add_row(*row)
    return table


def resources_table(results: dict[str, Any]) -> Table:
    """Return CPU seconds and peak RSS of each kind of process, per level and path."""
    table = Table(title="CPU seconds / peak RSS MiB per process kind (load plus drain)")
    table.add_column("c", justify="right")
    table.add_column("path")
    table.add_column("window s", justify="right")
    for kind in KINDS:
        table.add_column(kind, justify="right")
    for level in results["levels"]:
        for name in PATHS:
            usage = (level.get(name) or {}).get("resources")
            if usage is None:
                continue
            cells = []
            for kind in KINDS:
                entry = usage["kinds"].get(kind)
                cells.append("-" if entry is None else f"{entry['cpu_s']:.1f} / {entry['peak_rss_mb']:.0f}")
            table.add_row(str(level["concurrency"]), name, _num(usage["seconds"]), *cells)
    return table


def per_order_table(results: dict[str, Any]) -> Table:
    """Return, per level and path, CPU ms per order by process kind and the engine's counts per order."""
    table = Table(title="Per order: CPU ms by process kind (load plus drain), and what the engine did")
    counts = list(engine.COUNTERS)
    table.add_column("c", justify="right")
    table.add_column("path")
    for column in ("CPU ms", *KINDS, *counts):
        table.add_column(column, justify="right")
    for level in results["levels"]:
        for name in PATHS:
            found = level.get(name) or {}
            if not found.get("cpu_ms_per_order"):
                continue
            cpu, done = found["cpu_ms_per_order"], found.get("engine_per_order") or {}
            cells = [_num(cpu.get("suite")), *(_num(cpu.get(kind)) for kind in KINDS)]
            cells += [_num(done.get(count), 2) for count in counts]
            table.add_row(str(level["concurrency"]), name, *cells)
    return table


def show(results: dict[str, Any], console: Console) -> None:
    """Print the tables and the verdict."""
    tables = (summary_table, breakdown_table, resources_table, per_order_table)
    for table in (make(results) for make in tables):
        console.print(table)
    if results.get("aborted"):
        console.print(f"[bold red]ABORTED:[/] {results['aborted']}")
    verdict = "[bold green]VALID[/]" if results["valid"] else "[bold red]NOT VALID[/]"
    console.print(f"{verdict}: {results['verdict']}; wall time {results['wall_s']:.0f} s")
