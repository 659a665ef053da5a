"""On the real runtime, what a finished order leaves in Redis, and for how long: every key of its own
has a lifetime (PIZZA_RETENTION_S after its last write; the order id's claim twice that), so once
its workflow state is purged and the retention has run, nothing of it is left but what is documented.

A short retention needs a suite of its own, started like the crash drills' on the suite's ports."""

import secrets
import time
from typing import Any

import pytest

from pizza_common.contract.names import ORDER_APP, WORKFLOW_APP
from pizza_run.supervisor import Cluster
from tests.suite import Suite, poll
from tests.support.orders import sample_order
from tests.support.redis_keys import keys, size

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]
RETENTION_S = 8
CLUSTER_SETTINGS = {"PIZZA_TIME_SCALE": "0.01", "PIZZA_RETENTION_S": str(RETENTION_S)}
ORDERS = 3
# Not this change's to bound: the kitchen's record of a finished order's holds (pizza-kitchen/).
KITCHENS = "kitchen_order_"


@pytest.fixture(scope="module")
def suite(cluster: Cluster) -> Suite:
    return Suite(cluster.logs / "run.log", cluster.env, cluster.data)


def deliver(suite: Suite) -> str:
    """Place an order as the shop page does (with an Idempotency-Key), approve it, wait for its end."""
    order = sample_order()
    order.pop("order_id")
    placed = suite.http.post(
        f"{suite.url[ORDER_APP]}/api/orders", json=order, headers={"Idempotency-Key": secrets.token_hex(16)}
    )
    assert placed.status_code == 202, placed.text
    oid = str(placed.json()["order_id"])
    suite.wait_stage(oid, "pending_validation", 60)
    assert suite.post(WORKFLOW_APP, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 200
    suite.wait_status(oid, lambda s: s.get("runtime_status") == "COMPLETED", 60)
    suite.history(oid, "delivered", 30)
    return oid


def left(suite: Suite, oids: list[str]) -> dict[str, Any]:
    """Return what the orders hold in Redis: keys and bytes, theirs and the kitchen's, per order."""
    theirs = [k for oid in oids for k in keys(suite, f"*{oid}*") if KITCHENS not in k]
    theirs += keys(suite, "pizza-order||placing_*")  # under a hash of the key, not the order's id
    kitchens = [k for oid in oids for k in keys(suite, f"*{KITCHENS}{oid}")]
    count, size_b = size(suite, theirs)
    kitchen_count, kitchen_b = size(suite, kitchens)
    return {
        "keys": count / len(oids),
        "bytes": size_b / len(oids),
        "kitchen_keys": kitchen_count / len(oids),
        "kitchen_bytes": kitchen_b / len(oids),
        "names": sorted({k.split("||")[-1].split("_")[0] for k in theirs}),
    }


def test_after_the_retention_a_finished_order_leaves_no_key_of_its_own(suite: Suite) -> None:
    oids = [deliver(suite) for _ in range(ORDERS)]
    ended = time.monotonic()
    with_history = left(suite, oids)
    assert set(oids) <= set(suite.purge())  # what the runtime's retention policy does a day after
    purged = left(suite, oids)
    assert {"order", "payment", "claim", "placing", "validation"} <= set(purged["names"]), purged
    # Every key goes a retention after its last write; the claim, written at the start, after two.
    claims = poll(
        lambda: left(suite, oids), lambda found: found["names"] == ["claim"], 2 * RETENTION_S, "claims"
    )
    assert time.monotonic() - ended >= RETENTION_S - 2  # nothing expired early (the last writes came first)
    gone = poll(lambda: left(suite, oids), lambda found: found["keys"] == 0, 2 * RETENTION_S + 30, "expiry")
    waited = time.monotonic() - ended
    print(  # noqa: T201 - the figures, for the README
        f"\nper finished order, PIZZA_RETENTION_S={RETENTION_S}: with its workflow state {with_history}; "
        f"purged {purged}; only the claims left {claims}; {waited:.0f} s after its end {gone}"
    )
