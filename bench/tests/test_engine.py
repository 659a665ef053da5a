"""The engine's counts per order, read from metrics recorded from Dapr 1.18.3 after one order."""

from pathlib import Path

from bench import engine

DATA = Path(__file__).parent / "data"


def test_the_counters_of_one_order_are_read_from_a_sidecar_and_the_scheduler() -> None:
    daprd = engine._read((DATA / "daprd-metrics.txt").read_text())
    scheduler = engine._read((DATA / "scheduler-metrics.txt").read_text())
    assert daprd["orchestrator turns"] == 10
    assert daprd["activities"] == 9
    assert daprd["status reads"] == 7
    assert daprd["publishes"] == 4
    assert daprd["sidecar HTTP requests"] == 24
    assert scheduler == {"scheduler jobs created": 23, "scheduler jobs triggered": 20}


def test_growth_is_divided_over_the_orders_of_the_window() -> None:
    before = {"activities": 9.0, "publishes": 4.0}
    after = {"activities": 99.0, "publishes": 4.0}
    assert engine.per_order(before, after, 10) == {"activities": 9.0, "publishes": 0.0}
    assert engine.per_order(before, after, 0) == {}
