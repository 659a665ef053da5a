"""A customer's session through the real suite: ordering is idempotent, and the order's token reaches
no URL, no span in Zipkin and no log line; a payment record is for Dapr callers and staff only."""

import concurrent.futures
import secrets
import time
from typing import Any

import httpx
import pytest

from pizza_common.contract.names import ORDER_APP, STOREFRONT_APP, WORKFLOW_APP, ZIPKIN_URL
from pizza_run.http import app_url, sidecar_url
from tests.suite import ROOT, Suite, poll
from tests.support.orders import sample_order

pytestmark = pytest.mark.e2e
SHOP = app_url(ORDER_APP)


def new_order(**overrides: Any) -> dict[str, Any]:
    order = sample_order() | overrides
    order.pop("order_id")
    return order


def place(customer: httpx.Client, order: dict[str, Any], key: str) -> httpx.Response:
    return customer.post(f"{SHOP}/api/orders", json=order, headers={"Idempotency-Key": key})


def charged(suite: Suite, oid: str) -> dict[str, Any]:
    fetch = lambda: suite.get(STOREFRONT_APP, f"/payments/{oid}")  # noqa: E731
    return dict(poll(fetch, lambda r: r.status_code == 200, 120, f"the charge of {oid}").json())


def test_a_repeated_order_is_one_order_and_one_charge(suite: Suite) -> None:
    key = secrets.token_urlsafe(24)
    order = new_order()
    with httpx.Client(timeout=30) as customer:
        # The same request sent four times at once (a lost answer and its retries): one order.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda _: place(customer, order, key), range(4)))
        again = place(customer, order, key)
        changed = place(customer, new_order(size="small"), key)
    assert [a.status_code for a in [*answers, again]] == [202] * 5, [a.text for a in answers]
    assert len({(a.json()["order_id"], a.json()["order_token"]) for a in [*answers, again]}) == 1
    oid = again.json()["order_id"]
    assert changed.status_code == 422, changed.text
    assert changed.json()["problems"][0]["field"] == "Idempotency-Key"
    suite.wait_stage(oid, "pending_validation", timeout=120)
    payment = charged(suite, oid)
    assert (payment["status"], payment["charges"], list(payment["idempotency_keys"])) == (
        "charged",
        1,
        [f"{oid}:charge"],
    )
    # Each answer names the one order its request started or found: all name one, so one workflow ran.
    assert suite.post(WORKFLOW_APP, "/cancel-order", {"order_id": oid}).status_code == 200


def test_a_payment_record_answers_dapr_callers_and_staff_only(suite: Suite) -> None:
    oid = suite.start()["order_id"]
    charged(suite, oid)
    url = f"{app_url(STOREFRONT_APP)}/payments/{oid}"
    bare = httpx.get(url, timeout=30)
    assert bare.status_code == 401 and "Dapr and staff only" in bare.json()["error"], bare.text
    assert httpx.get(url, headers={"X-Staff-Token": "guess"}, timeout=30).status_code == 401
    staff = httpx.get(url, headers={"X-Staff-Token": suite.tokens["PIZZA_STAFF_TOKEN"]}, timeout=30)
    assert staff.json()["charges"] == 1
    via_dapr = suite.http.get(f"{sidecar_url(ORDER_APP)}/invoke/{STOREFRONT_APP}/method/payments/{oid}")
    assert via_dapr.json()["charges"] == 1, via_dapr.text


def _stream(customer: httpx.Client, path: str) -> int:
    """Open an event stream, read its first bytes, close it; return its status."""
    with customer.stream("GET", f"{SHOP}{path}", timeout=30) as resp:
        if resp.status_code == 200:
            next(resp.iter_bytes())
        return resp.status_code


def _spans(since_ms: int) -> list[dict[str, Any]]:
    """Return every span Zipkin holds since `since_ms`, of every service (apps and sidecars alike)."""
    services = httpx.get(f"{ZIPKIN_URL}/api/v2/services", timeout=10).json()
    spans: list[dict[str, Any]] = []
    lookback = int(time.time() * 1000) - since_ms + 60_000
    for service in services:
        params = {"serviceName": service, "lookback": lookback, "limit": 10_000}
        traces = httpx.get(f"{ZIPKIN_URL}/api/v2/traces", params=params, timeout=30).json()
        spans += [span for trace in traces for span in trace]
    return spans


def test_a_customers_session_leaves_no_token_in_any_span_or_log(suite: Suite) -> None:
    if not suite.traced:
        pytest.skip("no Zipkin: the suite runs without traces")
    since = int(time.time() * 1000)
    with httpx.Client(timeout=30) as customer, httpx.Client(timeout=30) as other_browser:
        placed = place(customer, new_order(), secrets.token_urlsafe(24)).json()
        oid, token = placed["order_id"], placed["order_token"]
        held = {"X-Order-Token": token}
        assert _stream(customer, f"/api/events?order={oid}") == 200  # the browser that placed it
        assert _stream(other_browser, f"/api/events?order={oid}") == 403
        assert other_browser.post(f"{SHOP}/api/orders/{oid}/follow", json={}, headers=held).status_code == 200
        assert _stream(other_browser, f"/api/events?order={oid}") == 200
        assert _stream(other_browser, f"/api/orders/{oid}/events") == 200
        # The old way is refused, and the token sent in it anyway stays out of the spans.
        assert _stream(customer, f"/api/events?order={oid}&token={token}") == 400
        assert customer.get(f"{SHOP}/api/orders/{oid}", headers=held).status_code == 200
        suite.wait_stage(oid, "pending_validation", timeout=120)
        cancelled = customer.post(f"{SHOP}/api/orders/{oid}/cancel", json={}, headers=held)
        assert cancelled.status_code == 200, cancelled.text
    suite.wait_status(oid, lambda s: (s.get("output") or {}).get("status") == "cancelled", 120)

    def streamed(spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ours = [s for s in spans if s.get("timestamp", 0) >= since * 1000]  # Zipkin's are in µs
        return [s for s in ours if "/api/events?" in s.get("tags", {}).get("http.target", "")]

    def all_traced(spans: list[dict[str, Any]]) -> bool:
        # A stream's span ends when the server sees its client gone: at its next heartbeat (15 s).
        cancel = any(f"/api/orders/{oid}/cancel" in str(s.get("tags", {})) for s in spans)
        return cancel and len(streamed(spans)) >= 4  # two streams, one refused 403, one 400

    spans = poll(lambda: _spans(since), all_traced, 90, "the session's spans in Zipkin")
    assert all(s["tags"]["http.target"] == "/api/events?REDACTED" for s in streamed(spans))
    leaked = [s for s in spans if token in str(s)]
    assert not leaked, leaked[:3]
    print(f"\nZipkin after a customer's session: {len(spans)} spans, none with the order's token")  # noqa: T201
    # The launcher's output, and each app's and sidecar's log file (`<app>/.dapr/logs/`, the CLI's place).
    logs = [suite.log, *ROOT.glob("pizza-*/.dapr/logs/*.log")]
    assert not [p for p in logs if token in p.read_text(errors="replace")]
