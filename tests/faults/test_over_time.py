"""On the real runtime, what happens over time: a decision after a timed-out quality check
counts, a cancel once the pizza is out is refused, an order's first outcome stands against every
report that comes later, and what a
finished order leaves in Redis stays small once its workflow state goes.

These need settings of their own (a check that times out in seconds), hence their own suite on
the suite's ports, started like the crash drills' after the shared end-to-end suite has stopped."""

from typing import Any

import pytest

from pizza_run.supervisor import Cluster
from tests.suite import Suite, poll
from tests.support.redis_keys import stored

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]
CLUSTER_SETTINGS = {"PIZZA_TIME_SCALE": "0.5", "PIZZA_VALIDATION_TIMEOUT_S": "4"}
WF, SHOP, ORDER = "pizza-workflow", "pizza-storefront", "pizza-order"


@pytest.fixture(scope="module")
def suite(cluster: Cluster) -> Suite:
    return Suite(cluster.logs / "run.log", cluster.env, cluster.data)


def record(suite: Suite, oid: str) -> dict[str, Any]:
    resp = suite.get(ORDER, f"/order/{oid}")
    return dict(resp.json()) if resp.status_code == 200 else {"history": []}


def reached(suite: Suite, oid: str, status: str) -> dict[str, Any]:
    """Wait until pizza-order's history of the order holds `status`; return the record."""
    has = lambda r: any(h["status"] == status for h in r["history"])  # noqa: E731
    return poll(lambda: record(suite, oid), has, 90, f"{status} in the history of {oid}")


def finished(suite: Suite, oid: str) -> dict[str, Any]:
    return dict(suite.wait_status(oid, lambda s: s.get("runtime_status") in {"COMPLETED", "FAILED"}, 120))


def test_an_approval_after_a_timed_out_check_is_kept(suite: Suite) -> None:
    oid = suite.start()["order_id"]
    suite.wait_status(oid, lambda s: s.get("stage") == "pending_validation" and s.get("attempt") == 1, 120)
    answer = suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True})
    assert (answer.status_code, answer.json()["validation_status"]) == (200, "approved")
    assert finished(suite, oid)["output"]["status"] == "delivered"
    paid = suite.get(SHOP, f"/payments/{oid}").json()
    assert (paid["status"], paid["charges"], paid["refunds"]) == ("charged", 1, 0)
    statuses = [h["status"] for h in reached(suite, oid, "delivered")["history"]]
    assert statuses.count("remake") == 1 and statuses.count("approved") == 1


def test_a_cancel_once_the_driver_is_on_the_way_is_refused_and_the_pizza_delivered(suite: Suite) -> None:
    """Until 1.0.0 it was taken: the customer got the pizza and the refund."""
    oid = suite.start()["order_id"]
    suite.wait_stage(oid, "pending_validation", 60)
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 200
    reached(suite, oid, "delivery_finding_driver")
    answer = suite.post(WF, "/cancel-order", {"order_id": oid})
    assert (answer.status_code, answer.json()["stage"]) == (409, "delivery"), answer.text
    assert finished(suite, oid)["output"]["status"] == "delivered"
    paid = suite.get(SHOP, f"/payments/{oid}").json()
    assert (paid["status"], paid["charges"], paid["refunds"]) == ("charged", 1, 0)
    statuses = [h["status"] for h in reached(suite, oid, "delivered")["history"]]
    assert "cancelled" not in statuses and "payment_refunded" not in statuses


def test_a_terminate_during_cooking_stands_when_the_cook_finishes(suite: Suite) -> None:
    oid = suite.start()["order_id"]
    reached(suite, oid, "cooking_making_dough")
    answer = suite.post(WF, "/terminate-order", {"order_id": oid})
    assert (answer.status_code, answer.json()["status"]) == (200, "terminated")
    kept = reached(suite, oid, "cooked")
    assert kept["status"] == "terminated"
    later = [h for h in kept["history"] if h["status"] in {"cooking_baking", "cooked"}]
    assert later and all(h["late"] for h in later)
    assert suite.status(oid)["runtime_status"] == "TERMINATED"


def test_a_finished_order_leaves_a_few_small_keys_once_its_workflow_state_goes(suite: Suite) -> None:
    oids = [suite.start()["order_id"] for _ in range(3)]
    for oid in oids:
        suite.wait_stage(oid, "pending_validation", 60)
        assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 200
    for oid in oids:
        assert finished(suite, oid)["output"]["status"] == "delivered"
        reached(suite, oid, "delivered")
    with_history = [stored(suite, oid) for oid in oids]
    assert all(keys > 20 for keys, _ in with_history), with_history  # the workflow's history, event by event
    # What the runtime's retention policy does a day after the order ends (config/*.yaml).
    assert set(oids) <= set(suite.purge())
    left = [stored(suite, oid) for oid in oids]
    print("per order, with its workflow state:", with_history, "after:", left)  # noqa: T201 - the figures
    assert all(keys <= 5 and size <= 32 * 1024 for keys, size in left), left
    for oid in oids:  # the business record stays: the order, its history, its payment
        assert record(suite, oid)["status"] == "delivered"
        assert suite.get(SHOP, f"/payments/{oid}").json()["charges"] == 1
