"""One fault drill: a batch of orders run through a fault, then audited and measured."""

import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.faults.batch import Batch, url

ORDERS = 10
# The workflow retries a failed activity for about a minute; a restarted scheduler or placement
# can take a while more to hand reminders and actors back out.
DEADLINE_S = 240


def through_fault(
    name: str,
    fault: Callable[[], None],
    auth: httpx.Auth,
    transport: httpx.BaseTransport | None = None,
    orders: int = ORDERS,
    where: Callable[[str, str], str] = url,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run a batch through a fault, as staff with the suite's tokens; return the audit and the figures."""
    batch = Batch(orders, http=httpx.Client(timeout=10, auth=auth, transport=transport), url=where)
    try:
        batch.begin()
        assert not batch.failed_early(), f"orders failed before the fault: {batch.failed_early()}"
        in_flight = len(batch.in_flight())
        killed = time.monotonic()
        fault()
        back = time.monotonic()
        batch.finish(DEADLINE_S)
        done = time.monotonic()
    finally:
        batch.stop.set()  # the watcher must not outlive a failed drill
    audit = batch.audit()
    first, after = batch.first_change_after(killed), batch.first_change_after(back)
    row = {
        "component": name,
        "in_flight": in_flight,
        "completed": audit["completed"],
        "lost": audit["lost"],
        "duplicate_charges": audit["duplicate_charges"],
        "duplicate_reservations": audit["duplicate_reservations"],
        "back_s": round(back - killed, 1),
        "first_progress_s": round(first - killed, 1) if first else None,
        "progress_after_back_s": round(after - back, 1) if after else None,
        "done_s": round(done - killed, 1),
        "history_gaps": len(audit["bad_histories"]),
        "history_s": audit["history_settled_s"],
    }
    return audit, row


def check(audit: dict[str, Any]) -> None:
    """Assert that no order was lost, stuck, charged twice, cooked twice or left with a gap."""
    assert audit["not_delivered"] == {}
    assert (audit["duplicate_charges"], audit["missing_charges"], audit["refunds"]) == (0, 0, 0)
    assert audit["duplicate_reservations"] == 0, (audit["ingredients_used"], audit["still_reserved"])
    assert audit["bad_histories"] == {}
