"""The per-step breakdown from pizza-order's history and the workflow's timestamps."""

from typing import Any

from bench.breakdown import WORKFLOW_SEGMENTS, marks, sample, segments_ms
from bench.model import OrderRun
from pizza_common.contract.statuses import DELIVERY_STAGES, KITCHEN_STAGES, STOREFRONT_STAGES, OrderStatus


def _history(statuses: list[str]) -> list[dict[str, Any]]:
    return [{"status": s, "timestamp": f"2026-01-01T00:00:{i:02d}.000000Z"} for i, s in enumerate(statuses)]


def test_workflow_segments_split_service_time_from_engine_time() -> None:
    statuses = (
        [s for s, _ in STOREFRONT_STAGES] + [OrderStatus.PAYMENT_CHARGED] + [s for s, _ in KITCHEN_STAGES]
    )
    statuses += (
        [OrderStatus.COOKED, OrderStatus.PENDING_VALIDATION, OrderStatus.APPROVED]
        + [s for s, _ in DELIVERY_STAGES]
        + [OrderStatus.DELIVERED]
    )
    # Naive timestamps from the engine are UTC.
    view = {"created_at": "2025-12-31T23:59:59", "last_updated_at": f"2026-01-01T00:00:{len(statuses):02d}"}
    got = segments_ms(marks(_history(statuses), view), WORKFLOW_SEGMENTS)
    assert got["engine: start -> storefront"] == 1000.0
    assert got["in pizza-storefront"] == 2000.0
    assert got["engine: storefront -> kitchen (reserve, charge)"] == 2000.0
    assert got["in pizza-kitchen"] == 5000.0
    assert got["quality check: pending -> approved (by the bench)"] == 1000.0
    assert got["in pizza-delivery"] == 6000.0
    assert got["engine: delivered -> completed"] == 1000.0
    assert got["total: start -> completed (engine's clock)"] == (len(statuses) + 1) * 1000.0


def test_missing_marks_leave_their_segments_unknown() -> None:
    got = segments_ms(marks(_history([s for s, _ in STOREFRONT_STAGES]), None), WORKFLOW_SEGMENTS)
    assert got["in pizza-storefront"] == 2000.0
    assert got["engine: start -> storefront"] is None
    assert got["in pizza-kitchen"] is None


def test_sample_spreads_over_the_successful_orders_deterministically() -> None:
    runs = [OrderRun(f"o{i}", ok=i % 2 == 0) for i in range(20)]
    picked = sample(runs, 5)
    assert [r.order_id for r in picked] == ["o0", "o4", "o8", "o12", "o16"]
    assert sample(runs, 50) == [r for r in runs if r.ok]
