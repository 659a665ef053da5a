"""Two replicas of pizza-workflow and two of pizza-kitchen (PIZZA_REPLICAS): both of each do work,
and the second workflow replica killed for good with its sidecar mid-batch loses and repeats
nothing: its orders go on in the first, every order ends delivered, charged once, cooked once."""

import threading
import time
from collections import Counter
from datetime import datetime
from typing import Any

import httpx
import pytest

from pizza_run import health
from pizza_run.http import TokenAuth
from pizza_run.supervisor import Cluster
from tests.faults import replica_logs
from tests.faults.batch import Batch
from tests.faults.drill import DEADLINE_S, check

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]
CLUSTER_SETTINGS = {"PIZZA_REPLICAS": "pizza-workflow=2,pizza-kitchen=2"}
ORDERS = 20
WORKFLOWS = ("pizza-workflow", "pizza-workflow.2")
KITCHENS = ("pizza-kitchen", "pizza-kitchen.2")
SURVIVOR, KILLED = WORKFLOWS


def on_replica(cluster: Cluster, name: str, ids: set[str]) -> set[str]:
    """Return the orders of `ids` whose workflow has run steps on a workflow replica and not ended there."""
    found = [s for s in replica_logs.steps(cluster.logs / f"{name}.log") if not s.published]
    return {s.order_id for s in found if s.order_id in ids} - {s.order_id for s in found if s.ended}


def test_replicas_share_the_orders_and_survive_the_loss_of_one(
    cluster: Cluster, figures: list[dict[str, Any]]
) -> None:
    batch = Batch(ORDERS, http=httpx.Client(timeout=10, auth=TokenAuth(cluster.env)))
    starting = threading.Thread(target=batch.begin, daemon=True)
    try:
        starting.start()
        # Mid-batch: half the orders started, and the replica to kill runs some of them.
        batch.wait(
            lambda: len(batch.ids) >= ORDERS // 2 and bool(on_replica(cluster, KILLED, set(batch.ids))), 120
        )
        in_flight = len(batch.in_flight())
        killed_at, killed = datetime.now(), time.monotonic()
        cluster.kill(KILLED)
        cluster.kill(health.sidecar(KILLED))
        starting.join(120)
        assert not starting.is_alive(), "the batch's orders did not all start"
        assert len(batch.ids) == ORDERS, "an order could not be started after the kill"
        batch.finish(DEADLINE_S)
        done = time.monotonic()
    finally:
        batch.stop.set()  # the watcher must not outlive a failed test
    audit = batch.audit()
    # Its log is whole now: every order it ran and did not end had to go on somewhere else.
    moved = on_replica(cluster, KILLED, set(batch.ids))
    report = per_replica(cluster, set(batch.ids), killed_at, moved)
    resumed = [at for at in report["resumed_s"].values() if at is not None]
    row = {
        "component": f"{KILLED} and its sidecar, not restarted (2 workflow, 2 kitchen replicas)",
        "in_flight": in_flight,
        "completed": audit["completed"],
        "lost": audit["lost"],
        "duplicate_charges": audit["duplicate_charges"],
        "duplicate_reservations": audit["duplicate_reservations"],
        "first_progress_s": min(resumed, default=None),
        "done_s": round(done - killed, 1),
        "history_gaps": len(audit["bad_histories"]),
        "history_s": audit["history_settled_s"],
    }
    figures.append(row)
    print(row, report, audit)  # noqa: T201 - the figures are this test's report
    assert all(report["workflows_before_kill"].values()), f"a workflow replica ran no order: {report}"
    assert all(report["activity_statuses"].values()), f"a workflow replica ran no activity: {report}"
    assert all(report["orders_cooked"].values()), f"a kitchen replica cooked nothing: {report}"
    assert len(resumed) == len(moved), f"an order of the killed replica never went on: {report}"
    check(audit)


def per_replica(cluster: Cluster, ids: set[str], killed_at: datetime, moved: set[str]) -> dict[str, Any]:
    """Count each replica's work from its log, and when the survivor went on with each order of the
    killed one: the first step of its workflow that the survivor logged after the kill."""
    logs = {name: replica_logs.steps(cluster.logs / f"{name}.log") for name in (*WORKFLOWS, *KITCHENS)}
    own = {name: [s for s in logs[name] if not s.published] for name in WORKFLOWS}
    cooked = [s for name in KITCHENS for s in logs[name] if s.what == "cooked" and s.order_id in ids]
    # Its workflow's own steps, not an activity's: one of those may have run on the survivor before.
    resumed = {
        oid: min((s.at for s in own[SURVIVOR] if s.order_id == oid and s.at > killed_at), default=None)
        for oid in moved
    }
    return {
        "workflows_before_kill": {
            name: len(replica_logs.orders([s for s in own[name] if s.at < killed_at], ids))
            for name in WORKFLOWS
        },
        "workflows_run": {name: len(replica_logs.orders(own[name], ids)) for name in WORKFLOWS},
        "activity_statuses": {name: replica_logs.published(logs[name], ids) for name in WORKFLOWS},
        "orders_cooked": {name: len(replica_logs.orders(logs[name], ids)) for name in KITCHENS},
        # A cook whose caller died with the killed replica runs again: its stock is consumed once.
        "cooked_again": sum(cooks > 1 for cooks in Counter(s.order_id for s in cooked).values()),
        "on_killed_replica": len(moved),
        "resumed_s": {
            oid: round((at - killed_at).total_seconds(), 1) if at else None for oid, at in resumed.items()
        },
    }
