"""A supervised suite per test module, and the figures each fault test reports."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pizza_run.layout import ROOT
from pizza_run.supervisor import Cluster

# Slow enough that a crash finds orders in flight, fast enough for CI.
OVERRIDES = {
    "PIZZA_TIME_SCALE": "0.1",
    "PIZZA_VALIDATION_TIMEOUT_S": "600",
    "PIZZA_INITIAL_STOCK": "1000",
}
COLUMNS = (
    "component",
    "in_flight",
    "completed",
    "lost",
    "duplicate_charges",
    "duplicate_reservations",
    "back_s",
    "first_progress_s",
    "done_s",
    "history_gaps",
    "history_s",
)
FIGURES: list[dict[str, Any]] = []


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the fault tests first: the e2e suite holds the same ports until the session ends."""
    items.sort(key=lambda item: item.get_closest_marker("faults") is None)


@pytest.fixture(scope="module")
def cluster(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Start the whole suite under a supervisor, in a fresh data folder; leave nothing running.

    A test module changes the suite's settings with a CLUSTER_SETTINGS dict of its own."""
    base = os.environ.get("PIZZA_DATA_DIR")
    if base:  # a folder of this run under the caller's, so that every run starts empty
        Path(base).mkdir(parents=True, exist_ok=True)
        data = Path(tempfile.mkdtemp(prefix="faults-", dir=base))
    else:
        data = tmp_path_factory.mktemp("faults")
    suite = Cluster(data, OVERRIDES | getattr(request.module, "CLUSTER_SETTINGS", {}))
    try:
        suite.start()
        yield suite
    finally:
        suite.stop()
        assert suite.leftovers() == [], "processes outlived the supervisor"


@pytest.fixture(scope="session")
def figures() -> Iterator[list[dict[str, Any]]]:
    """Collect one row per fault; print them and write results/faults.md at the end."""
    yield FIGURES
    if not FIGURES:
        return
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in COLUMNS) + " |" for row in FIGURES]
    table = "\n".join(lines) + "\n"
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "faults.md").write_text(table)
    print("\n" + table)  # noqa: T201 - the figures are this test's report
