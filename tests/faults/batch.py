"""A batch of orders driven through a fault: started, approved, watched, then audited."""

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from pizza_common.contract.menu import ingredients_for
from pizza_common.contract.names import KITCHEN_APP, ORDER_APP, PORTS, STOREFRONT_APP, WORKFLOW_APP
from pizza_common.contract.statuses import DELIVERY_STAGES, KITCHEN_STAGES, STOREFRONT_STAGES
from tests.support.orders import sample_order

FINISHED = frozenset({"COMPLETED", "FAILED", "TERMINATED"})
PIZZA = "pepperoni"
# The statuses pizza-order must hold for a delivered order, each once, in this order.
EXPECTED = [
    *(s for s, _ in STOREFRONT_STAGES),
    "ingredients_reserved",
    "payment_charged",
    *(s for s, _ in KITCHEN_STAGES),
    "cooked",
    "pending_validation",
    "approved",
    *(s for s, _ in DELIVERY_STAGES),
    "delivered",
]


def url(app: str, path: str) -> str:
    return f"http://127.0.0.1:{PORTS[app][0]}{path}"


@dataclass
class Batch:
    """Orders started together; a watcher thread records their progress and approves them."""

    size: int
    http: httpx.Client  # with the suite's tokens: it approves as staff
    ids: list[str] = field(default_factory=list)
    state: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    last: dict[str, dict[str, Any]] = field(default_factory=dict)
    changes: list[tuple[float, str, tuple[Any, ...]]] = field(default_factory=list)
    stock_before: dict[str, dict[str, int]] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    # Where each app answers: the suite's loopback ports, or a cluster's Services and pods (tests/k8s).
    url: Callable[[str, str], str] = url

    def stock(self) -> dict[str, dict[str, int]]:
        return dict(self.http.get(self.url(KITCHEN_APP, "/inventory")).json()["ingredients"])

    def begin(self) -> None:
        """Start the orders one after the other, each once the previous one left the storefront."""
        self.stock_before = self.stock()
        threading.Thread(target=self._watch, daemon=True).start()
        for _ in range(self.size):
            order = sample_order(pizza_type=PIZZA)
            resp = self.http.post(self.url(WORKFLOW_APP, "/start-order"), json=order)
            assert resp.status_code == 202, resp.text
            oid = order["order_id"]
            self.ids.append(oid)
            # Spread the orders over the stages, so that a crash finds them at different steps.
            self.wait(partial(self._past_storefront, oid), 60)

    def _past_storefront(self, oid: str) -> bool:
        return self.state.get(oid, ("", ""))[1] not in {"", "storefront"}

    def wait(self, done: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s; last states {self.state}")
            time.sleep(0.05)

    def in_flight(self) -> list[str]:
        return [oid for oid in self.ids if self.state.get(oid, ("PENDING",))[0] not in FINISHED]

    def first_change_after(self, t: float) -> float | None:
        return next((when for when, _, _ in self.changes if when > t), None)

    def _watch(self) -> None:
        # One loop both watches and approves: an approval lost to a crash is simply sent again.
        while not self.stop.is_set():
            for oid in list(self.ids):
                if self.state.get(oid, ("",))[0] in FINISHED:
                    continue
                try:
                    resp = self.http.get(self.url(WORKFLOW_APP, f"/get-status/{oid}"))
                    if resp.status_code != 200:
                        continue
                    view = resp.json()
                    now = (view["runtime_status"], view.get("stage"), view.get("attempt", 0))
                    if self.state.get(oid) != now:
                        self.state[oid], self.last[oid] = now, view
                        self.changes.append((time.monotonic(), oid, now))
                    if now[0] == "RUNNING" and now[1] == "pending_validation":
                        body = {"order_id": oid, "approved": True}
                        self.http.post(self.url(WORKFLOW_APP, "/validate-pizza"), json=body)
                except httpx.HTTPError:
                    pass  # the crashed component is down: try again on the next round
            time.sleep(0.1)

    def finish(self, timeout: float) -> None:
        """Wait until every order reached a terminal state, then stop watching."""
        try:
            self.wait(lambda: len(self.state) == len(self.ids) and not self.in_flight(), timeout)
        finally:
            self.stop.set()

    def audit(self) -> dict[str, Any]:
        """Check every order's outcome, money, ingredients and history; return the counts."""
        outcomes = {oid: self.last[oid].get("output") or {} for oid in self.ids}
        delivered = [oid for oid, out in outcomes.items() if out.get("status") == "delivered"]
        payments = [self.http.get(self.url(STOREFRONT_APP, f"/payments/{oid}")).json() for oid in self.ids]
        after, need = self.stock(), ingredients_for(PIZZA, 1)
        used = {i: self.stock_before[i]["on_hand"] - after[i]["on_hand"] for i in need}
        held = {i: after[i]["reserved"] - self.stock_before[i]["reserved"] for i in need}
        # Only a delivered order has a full history to wait for; the others fail on their outcome.
        started = time.monotonic()
        histories = self._histories(delivered)
        return {
            "completed": len(delivered),
            "lost": len(self.ids) - len(delivered),
            "not_delivered": {o: (self.state[o], outcomes[o]) for o in self.ids if o not in delivered},
            "duplicate_charges": sum(max(p.get("charges", 0) - 1, 0) for p in payments),
            "missing_charges": sum(p.get("charges", 0) == 0 for p in payments),
            "refunds": sum(p.get("refunds", 0) for p in payments),
            "duplicate_reservations": max(u - len(delivered) * need[i] for i, u in used.items())
            + max(held.values()),
            "ingredients_used": used,
            "still_reserved": held,
            "bad_histories": {o: h for o, h in histories.items() if h != EXPECTED},
            "history_settled_s": round(time.monotonic() - started, 1),
        }

    def failed_early(self) -> dict[str, Any]:
        """Return the orders that already failed: a broken suite, not a fault's doing."""
        return {
            oid: view
            for oid, view in self.last.items()
            if view["runtime_status"] in FINISHED and (view.get("output") or {}).get("status") != "delivered"
        }

    def _histories(self, ids: list[str], timeout: float = 100) -> dict[str, list[str]]:
        # Events reach pizza-order through pub/sub, and one it asked to redeliver comes back only
        # after Redis streams' processingTimeout (15 s) on the next redelivery scan (every 60 s).
        seen: dict[str, list[str]] = {}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for oid in [o for o in ids if seen.get(o) != EXPECTED]:
                resp = self.http.get(self.url(ORDER_APP, f"/order/{oid}"))
                seen[oid] = [h["status"] for h in resp.json()["history"]] if resp.status_code == 200 else []
            if all(seen.get(o) == EXPECTED for o in ids):
                break
            time.sleep(0.5)
        return seen
