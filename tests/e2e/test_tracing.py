"""One order, one trace: its spans from all five apps and sidecars, as Zipkin keeps them."""

import collections
import secrets
from typing import Any

import httpx
import pytest

from pizza_common.names import PORTS, WORKFLOW_APP, ZIPKIN_URL
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


def _complete(spans: list[Span] | None, deliveries: int) -> bool:
    """Return whether the trace has every app, every invoking activity and every delivery."""
    if not spans:
        return False
    services = {_service(s) for s in spans}
    activities = {_activity(s) for s in spans}
    delivered = [s for s in spans if _service(s) == "pizza-order" and "orders-sub" in s.get("name", "")]
    return services >= set(PORTS) and activities >= INVOKING and len(delivered) >= deliveries


def _ancestors(span: Span, by_id: dict[str, Span]) -> list[Span]:
    found = []
    while (parent := by_id.get(span.get("parentId", ""))) is not None and parent not in found:
        found.append(parent)
        span = parent
    return found


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

    spans: list[Span] = poll(
        lambda: _zipkin(f"/trace/{trace_id}"),
        lambda s: _complete(s, len(statuses)),
        timeout=60,
        what=f"trace {trace_id} in Zipkin",
    )
    per_service = collections.Counter(_service(s) for s in spans)
    counts = dict(sorted(per_service.items()))
    print(f"spans of order {order_id}, trace {trace_id}: {len(spans)}: {counts}")  # noqa: T201 - the figures

    # The activity ran in a span under the engine's context, and the invocation it made is its child.
    by_id = {s["id"]: s for s in spans}
    deliver = next(s for s in spans if _activity(s) == "deliver_pizza")
    made = [s for s in spans if s.get("parentId") == deliver["id"]]
    assert made and all(_service(s) == WORKFLOW_APP for s in made), made
    served = [s for s in spans if _service(s) == "pizza-delivery" and s.get("kind") == "SERVER"]
    assert any(deliver in _ancestors(s, by_id) for s in served), (
        "pizza-delivery's spans are not under the activity"
    )
    # The start of the order hangs from the caller's span, the rest from spans of the trace.
    orphans = [s for s in spans if s.get("parentId") not in by_id]
    assert all(s.get("parentId") == caller for s in orphans), orphans

    found = _zipkin("/traces", serviceName="pizza-order", limit=1000, lookback=3_600_000)
    assert any(t and t[0]["traceId"] == trace_id for t in found or []), (
        "the trace is not listed for pizza-order"
    )
