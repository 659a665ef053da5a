"""One order, one trace: its spans from all five apps and sidecars, as Zipkin keeps them."""

import collections
import secrets
from typing import Any

import httpx
import pytest

from pizza_common.contract.names import PORTS, WORKFLOW_APP, ZIPKIN_URL
from tests.suite import Suite, poll
from tests.support.orders import sample_order

pytestmark = pytest.mark.e2e
ZIPKIN = f"{ZIPKIN_URL}/api/v2"
# The activities of an approved order that each invoke a service.
INVOKING = {"take_order", "reserve_ingredients", "charge_payment", "cook_pizza", "deliver_pizza"}
Span = dict[str, Any]


def _zipkin(path: str, **params: Any) -> Any:
    try:
        resp = httpx.get(f"{ZIPKIN}{path}", params=params, timeout=5)
    except httpx.HTTPError:
        return None
    return resp.json() if resp.status_code == 200 else None


def _service(span: Span) -> str:
    return str(span.get("localEndpoint", {}).get("serviceName", ""))


def _activity(span: Span) -> str | None:
    name = str(span.get("name", ""))
    return name.removeprefix("activity: ") if name.startswith("activity: ") else None


def _ancestors(span: Span, by_id: dict[str, Span]) -> list[Span]:
    found = []
    while (parent := by_id.get(span.get("parentId", ""))) is not None and parent not in found:
        found.append(parent)
        span = parent
    return found


def _missing(spans: list[Span], deliveries: int, caller: str) -> list[str]:
    """Return what the trace still lacks of one whole order; nothing once it is all there."""
    services = {_service(s) for s in spans}
    activities = {_activity(s) for s in spans}
    delivered = [s for s in spans if _service(s) == "pizza-order" and "orders-sub" in s.get("name", "")]
    by_id = {s["id"]: s for s in spans}
    deliver = next((s for s in spans if _activity(s) == "deliver_pizza"), None)
    made = [s for s in spans if deliver and s.get("parentId") == deliver["id"]]
    served = [s for s in spans if _service(s) == "pizza-delivery" and s.get("kind") == "SERVER"]
    orphans = [s["name"] for s in spans if s.get("parentId") not in by_id and s.get("parentId") != caller]
    checks = {
        f"spans of {sorted(set(PORTS) - services)}": services >= set(PORTS),
        f"spans of the activities {sorted(INVOKING - activities)}": activities >= INVOKING,
        f"{deliveries} deliveries to pizza-order, not {len(delivered)}": len(delivered) >= deliveries,
        # The activity ran in a span under the engine's context, and the invocation it made is its child.
        "pizza-workflow's call as the deliver_pizza activity's child": bool(made)
        and all(_service(s) == WORKFLOW_APP for s in made),
        "a span of pizza-delivery under that activity": any(deliver in _ancestors(s, by_id) for s in served),
        # The start hangs from the caller's span, every other span from one of the trace.
        f"the parents of {orphans}": not orphans,
    }
    return [what for what, ok in checks.items() if not ok]


class _Trace:
    """A trace as Zipkin returned it, shown by what it lacks."""

    def __init__(self, spans: list[Span] | None, deliveries: int, caller: str) -> None:
        self.spans = spans or []
        self.missing = _missing(self.spans, deliveries, caller) if spans else ["the trace"]

    def __repr__(self) -> str:
        return f"{len(self.spans)} spans, missing {self.missing}"


def test_one_order_is_one_trace_across_the_five_apps(suite: Suite) -> None:
    if not suite.traced:
        pytest.skip("no Zipkin on 127.0.0.1:9411 (no Java at set-up?): the suite runs without traces")
    trace_id = secrets.token_hex(16)
    order_id = f"trace-{trace_id[:8]}"
    # A caller that traces passes its context: the order's trace is then the caller's.
    caller = secrets.token_hex(8)
    headers = {"traceparent": f"00-{trace_id}-{caller}-01"}
    resp = suite.http.post(
        f"{suite.url[WORKFLOW_APP]}/start-order", json=sample_order(order_id), headers=headers
    )
    assert resp.status_code == 202, resp.text
    suite.wait_stage(order_id, "pending_validation")
    suite.post(WORKFLOW_APP, "/validate-pizza", {"order_id": order_id, "approved": True})
    statuses = suite.history(order_id, "delivered")

    # The apps and the sidecars send their spans in batches, each a few seconds apart.
    got = poll(
        lambda: _Trace(_zipkin(f"/trace/{trace_id}"), len(statuses), caller),
        lambda t: not t.missing,
        timeout=60,
        what=f"trace {trace_id} in Zipkin",
    )
    counts = dict(sorted(collections.Counter(_service(s) for s in got.spans).items()))
    print(f"spans of order {order_id}, trace {trace_id}: {len(got.spans)}: {counts}")  # noqa: T201 - the figures

    found = _zipkin("/traces", serviceName="pizza-order", limit=1000, lookback=3_600_000)
    assert any(t and t[0]["traceId"] == trace_id for t in found or []), (
        "the trace is not listed for pizza-order"
    )
