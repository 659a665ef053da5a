"""Writing the results: JSON, the plot, and the tables."""

import json
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import report


def _path(orders_per_s: float, p50: float) -> dict[str, Any]:
    summary = {
        "orders": 10, "ok": 10, "failed": 0, "lost": 0, "elapsed_s": 1.0, "orders_per_s": orders_per_s,
        "p50_ms": p50, "p95_ms": p50 * 2, "p99_ms": p50 * 3, "mean_ms": p50, "max_ms": p50 * 4, "valid": True,
    }  # fmt: skip
    usage = {"seconds": 1.0, "samples": 4, "kinds": {"daprd": {"processes": 5, "cpu_s": 1.5,
             "peak_rss_mb": 200.0, "peak_process_rss_mb": 45.0}}, "processes": {}}  # fmt: skip
    parts = {"orders": ["a"], "segments_ms": {"in pizza-kitchen": 12.0}, "end_to_end_ms": p50}
    cpu = {"daprd": 150.0, "suite": 150.0}
    counts = {"orchestrator turns": 10.0, "activities": 9.0}
    return {"summary": summary, "resources": usage, "breakdown": parts, "failures": [],
            "cpu_ms_per_order": cpu, "engine_per_order": counts}  # fmt: skip


def _results() -> dict[str, Any]:
    levels = [
        {"concurrency": c, "orders": 10, "workflow": _path(5.0 * c, 300.0), "baseline": _path(20.0 * c, 60.0),
         "floor": _path(10.0 * c, 150.0),
         "ratio": {"throughput": 0.25, "p50": 5.0, "floor_throughput": 0.5, "floor_p50": 2.0}}
        for c in (1, 8)
    ]  # fmt: skip
    return {"run_id": "t", "levels": levels, "valid": True, "verdict": "ok", "wall_s": 3.0, "aborted": None}


def test_results_are_written_as_json_and_png(tmp_path: Path) -> None:
    results = _results()
    report.write_json(results, tmp_path / "out" / "results.json")
    report.write_plot(results, tmp_path / "out" / "results.png")
    assert json.loads((tmp_path / "out" / "results.json").read_text()) == results
    assert (tmp_path / "out" / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_tables_show_each_level_path_and_ratio() -> None:
    console = Console(record=True, width=200)
    report.show(_results(), console)
    text = console.export_text()
    assert "0.250, 5.00" in text
    assert "0.500, 2.00" in text
    assert "in pizza-kitchen" in text
    assert "1.5 / 200" in text
    assert "VALID" in text


def test_the_per_order_table_shows_cpu_and_the_engines_counts() -> None:
    console = Console(record=True, width=250)
    console.print(report.per_order_table(_results()))
    rows = [line for line in console.export_text().splitlines() if "floor" in line]
    assert len(rows) == 2
    assert "150.0" in rows[0]
    assert "10.00" in rows[0]
    assert "9.00" in rows[0]
