"""Where an order's time goes: inside each service call, and between the steps."""

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

import httpx

from bench.http import Backoff
from bench.model import OrderRun
from bench.stats import median_or_none
from pizza_common.contract.names import DELIVERY_APP, KITCHEN_APP, ORDER_APP, STOREFRONT_APP
from pizza_common.contract.statuses import DELIVERY_STAGES, KITCHEN_STAGES, STOREFRONT_STAGES, OrderStatus
from pizza_run.http import app_url

log = logging.getLogger(__name__)
HISTORY_WAIT_S: Final = 15.0
# The statuses each service publishes while it works an order, its first one first.
SERVICE_STATUSES: Final[dict[str, frozenset[str]]] = {
    STOREFRONT_APP: frozenset(s for s, _ in STOREFRONT_STAGES),
    KITCHEN_APP: frozenset({*(s for s, _ in KITCHEN_STAGES), OrderStatus.COOKED}),
    DELIVERY_APP: frozenset({*(s for s, _ in DELIVERY_STAGES), OrderStatus.DELIVERED}),
}
# Segments of a workflow order, each between two marks, in time order.
WORKFLOW_SEGMENTS: Final = (
    ("engine: start -> storefront", "created", f"{STOREFRONT_APP}.first"),
    (f"in {STOREFRONT_APP}", f"{STOREFRONT_APP}.first", f"{STOREFRONT_APP}.last"),
    ("engine: storefront -> kitchen (reserve, charge)", f"{STOREFRONT_APP}.last", f"{KITCHEN_APP}.first"),
    (f"in {KITCHEN_APP}", f"{KITCHEN_APP}.first", f"{KITCHEN_APP}.last"),
    ("engine: kitchen -> pending_validation", f"{KITCHEN_APP}.last", OrderStatus.PENDING_VALIDATION),
    (
        "quality check: pending -> approved (by the bench)",
        OrderStatus.PENDING_VALIDATION,
        OrderStatus.APPROVED,
    ),
    ("engine: approved -> delivery", OrderStatus.APPROVED, f"{DELIVERY_APP}.first"),
    (f"in {DELIVERY_APP}", f"{DELIVERY_APP}.first", f"{DELIVERY_APP}.last"),
    ("engine: delivered -> completed", f"{DELIVERY_APP}.last", "completed"),
    ("total: start -> completed (engine's clock)", "created", "completed"),
)


def parse_time(text: str | None) -> datetime | None:
    """Parse an ISO timestamp; one without a zone is UTC (the workflow engine's)."""
    if not text:
        return None
    stamp = datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def marks(history: Sequence[dict[str, Any]], view: dict[str, Any] | None) -> dict[str, datetime]:
    """Return the times of an order's marks: each service's first and last status, and the engine's."""
    found: dict[str, datetime] = {}
    for entry in history:
        stamp = parse_time(entry.get("timestamp"))
        status = entry.get("status")
        if stamp is None:
            continue
        for app, statuses in SERVICE_STATUSES.items():
            if status in statuses:
                found.setdefault(f"{app}.first", stamp)
                found[f"{app}.last"] = max(stamp, found.get(f"{app}.last", stamp))
                found[f"{app}.first"] = min(stamp, found[f"{app}.first"])
        if status in (OrderStatus.PENDING_VALIDATION, OrderStatus.APPROVED):
            found.setdefault(str(status), stamp)
    if view is not None:
        for name, key in (("created", "created_at"), ("completed", "last_updated_at")):
            stamp = parse_time(view.get(key))
            if stamp is not None:
                found[name] = stamp
    return found


def segments_ms(
    found: dict[str, datetime], segments: Sequence[tuple[str, str, str]]
) -> dict[str, float | None]:
    """Return each segment's length in ms, None where a mark is missing."""
    result: dict[str, float | None] = {}
    for name, begin, end in segments:
        if begin in found and end in found:
            result[name] = round((found[end] - found[begin]).total_seconds() * 1000, 1)
        else:
            result[name] = None
    return result


def sample(runs: Sequence[OrderRun], size: int) -> list[OrderRun]:
    """Return up to size successful runs spread evenly over the level, always the same ones."""
    good = [r for r in runs if r.ok]
    if len(good) <= size:
        return good
    step = len(good) / size
    return [good[int(i * step)] for i in range(size)]


async def history(http: httpx.AsyncClient, order_id: str) -> list[dict[str, Any]]:
    """Return pizza-order's history of the order once it ends delivered, or as it is at the deadline."""
    found: list[dict[str, Any]] = []
    backoff = Backoff(cap=0.5)
    with_deadline = asyncio.get_running_loop().time() + HISTORY_WAIT_S
    while asyncio.get_running_loop().time() < with_deadline:
        resp = await http.get(f"{app_url(ORDER_APP)}/order/{order_id}")
        if resp.status_code == 200:
            found = list(resp.json().get("history", []))
            if any(h.get("status") == OrderStatus.DELIVERED for h in found):
                return found
        await backoff.wait()
    log.warning(
        "order %s: pizza-order's history has no %s yet: using it as it is", order_id, OrderStatus.DELIVERED
    )
    return found


async def workflow_breakdown(http: httpx.AsyncClient, runs: Sequence[OrderRun], size: int) -> dict[str, Any]:
    """Return the median of each workflow segment over a sample of the level's orders."""
    picked = sample(runs, size)
    per_order = [
        segments_ms(marks(await history(http, r.order_id), r.view), WORKFLOW_SEGMENTS) for r in picked
    ]
    return _medians(per_order, [name for name, _, _ in WORKFLOW_SEGMENTS], picked)


async def baseline_breakdown(http: httpx.AsyncClient, runs: Sequence[OrderRun], size: int) -> dict[str, Any]:
    """Return the median time of each baseline call, inside the service and around it."""
    picked = sample(runs, size)
    names: list[str] = []
    per_order: list[dict[str, float | None]] = []
    for run in picked:
        found = marks(await history(http, run.order_id), None)
        row: dict[str, float | None] = {}
        for app in SERVICE_STATUSES:
            inside = segments_ms(found, [("x", f"{app}.first", f"{app}.last")])["x"]
            call = round(run.calls_s[app] * 1000, 1) if app in run.calls_s else None
            row[f"in {app}"] = inside
            row[f"invoke overhead: {app}"] = (
                round(call - inside, 1) if call is not None and inside is not None else None
            )
        names = list(row)
        per_order.append(row)
    return _medians(per_order, names, picked)


def _medians(
    per_order: list[dict[str, float | None]], names: list[str], picked: Sequence[OrderRun]
) -> dict[str, Any]:
    latencies = [r.latency_s * 1000 for r in picked if r.latency_s is not None]
    return {
        "orders": [r.order_id for r in picked],
        "segments_ms": {name: median_or_none([row.get(name) for row in per_order]) for name in names},
        "end_to_end_ms": median_or_none(latencies),
    }
