"""The shop on a real Kubernetes cluster (make k8s-up, then make test-k8s): the workshop's order through the
chart's Services, Dapr's access-control policy between pods, and batches of orders through lost pods
and nodes, each audited as the suite's own crash drills are (tests/faults)."""

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pizza_common.contract.names import DELIVERY_APP, KITCHEN_APP, ORDER_APP, WORKFLOW_APP
from tests.faults.batch import EXPECTED, FINISHED
from tests.faults.drill import check, through_fault
from tests.k8s.cluster import (
    Shop,
    cable,
    cooked,
    kill_containers,
    kubectl,
    node_daemons,
    node_of,
    pods,
    ready,
    ready_pods,
    sidecar_status,
    unavailable,
    wait,
)
from tests.support.orders import sample_order

pytestmark = [pytest.mark.timeout(1200)]
ORDERS = 20
RECOVERY_S = 300  # a lost node's pods are evicted after ~35 s (20 s grace, 15 s toleration), then start


@pytest.fixture(scope="module")
def shop() -> Iterator[Shop]:
    reason = unavailable()
    if reason:
        pytest.skip(reason)
    yield Shop()


def workflow_pod() -> dict[str, Any]:
    found = ready_pods(WORKFLOW_APP)
    assert len(found) == 1, [p["metadata"]["name"] for p in found]
    return found[0]


def restarts_of(pod: dict[str, Any]) -> int:
    return sum(c["restartCount"] for c in pod["status"]["containerStatuses"])


def replaced(old: str) -> bool:
    """pizza-workflow runs again in one Ready pod other than `old`."""
    return [p["metadata"]["name"] for p in ready_pods(WORKFLOW_APP)] not in ([], [old])


def test_every_pod_runs_its_app_beside_a_sidecar_the_injector_added(shop: Shop) -> None:
    for app_id in (ORDER_APP, WORKFLOW_APP, KITCHEN_APP, DELIVERY_APP, "pizza-storefront"):
        for pod in pods(app_id):
            names = [c["name"] for c in pod["spec"]["containers"]]
            assert names == ["app", "daprd"], (app_id, names)
            assert ready(pod), pod["metadata"]["name"]
            daprd = pod["spec"]["containers"][1]
            assert daprd["image"] == "pizza.local/daprd:1.18.3"
            assert f"--app-id={app_id}" in " ".join(daprd["args"]) or app_id in daprd["args"]


def test_the_workshops_order_is_delivered_with_its_20_statuses(shop: Shop) -> None:
    with shop.client() as http:
        page = http.get(shop.url(ORDER_APP, "/"))
        assert page.status_code == 200, page.text[:200]
        order = sample_order()
        oid = order["order_id"]
        started = time.monotonic()
        resp = http.post(shop.url(WORKFLOW_APP, "/start-order"), json=order)
        assert resp.status_code == 202, resp.text

        def status() -> dict[str, Any]:
            view: dict[str, Any] = http.get(shop.url(WORKFLOW_APP, f"/get-status/{oid}")).json()
            return view

        wait("pending_validation", lambda: status().get("stage") == "pending_validation", 300)
        decision = {"order_id": oid, "approved": True}
        approve = http.post(shop.url(WORKFLOW_APP, "/validate-pizza"), json=decision)
        assert approve.status_code in {200, 202}, approve.text
        wait("the order to finish", lambda: status()["runtime_status"] in FINISHED, 300)
        assert (status().get("output") or {}).get("status") == "delivered", status()

        def history() -> list[str]:
            record = http.get(shop.url(ORDER_APP, f"/order/{oid}"))
            return [h["status"] for h in record.json()["history"]] if record.status_code == 200 else []

        wait("pizza-order's history", lambda: history() == EXPECTED, 120)
        assert len(history()) == 20
        print(f"order delivered through the Services in {time.monotonic() - started:.1f} s")  # noqa: T201


def test_the_access_control_policy_refuses_pizza_order_calling_the_kitchen(shop: Shop) -> None:
    # mTLS identities across pods: the kitchen admits pizza-workflow's sidecar only.
    assert sidecar_status(ORDER_APP, KITCHEN_APP, "healthz") == 403
    assert sidecar_status(WORKFLOW_APP, KITCHEN_APP, "healthz") == 200


def drill(shop: Shop, name: str, fault: Callable[[], None]) -> None:
    audit, row = through_fault(name, fault, shop.auth(), None, ORDERS, shop.url)
    print(row)  # noqa: T201 - the figures, visible with -s
    assert row["in_flight"] > 0, "the fault found no order in flight"
    check(audit)
    assert audit["completed"] == ORDERS


def test_the_workflow_pod_deleted_mid_batch(shop: Shop) -> None:
    def delete() -> None:
        old = workflow_pod()["metadata"]["name"]
        kubectl("delete", "pod", old, "--wait=false")
        took = wait("a new pizza-workflow pod Ready", lambda: replaced(old), RECOVERY_S)
        print(f"pizza-workflow pod deleted: a new one Ready in {took:.1f} s")  # noqa: T201

    drill(shop, "pizza-workflow pod deleted", delete)


def test_the_workflow_pods_node_lost_mid_batch(shop: Shop) -> None:
    # The node goes as a machine goes: off the network, its kubelet, containerd and pods killed at
    # once; it comes back (as after a restart) once its pods run elsewhere.
    def lose() -> None:
        pod = workflow_pod()
        old, node = pod["metadata"]["name"], node_of(pod)
        cable(node, up=False)
        try:
            node_daemons("stop-node", node)
            took = wait(f"{node} lost: pizza-workflow Ready elsewhere", lambda: replaced(old), RECOVERY_S)
            print(f"{node} lost: pizza-workflow Ready on another node in {took:.1f} s")  # noqa: T201
        finally:
            cable(node, up=True)
            started = time.monotonic()
            node_daemons("start-node", node)
            print(f"{node} started again, Ready in {time.monotonic() - started:.1f} s")  # noqa: T201

    drill(shop, "pizza-workflow's node lost", lose)
    wait("every node Ready again", lambda: "NotReady" not in kubectl("get", "nodes"), 120)


@pytest.mark.xfail(
    reason="a partition that heals while the old pod still runs: its sidecar, cut off from placement,"
    " kept the workflow actors and wrote their history when the cable came back, beside the new pod's"
    " (NonDeterminismError; docs/kubernetes.md)",
    strict=False,
)
def test_the_workflow_pods_node_cut_off_and_plugged_back_mid_batch(shop: Shop) -> None:
    def cut() -> None:
        pod = workflow_pod()
        old, node = pod["metadata"]["name"], node_of(pod)
        cable(node, up=False)
        try:
            took = wait(f"{node} cut off: pizza-workflow Ready elsewhere", lambda: replaced(old), RECOVERY_S)
            print(f"{node} cut off: pizza-workflow Ready on another node in {took:.1f} s")  # noqa: T201
        finally:
            cable(node, up=True)

    drill(shop, "pizza-workflow's node cut off, then back", cut)
    wait("every node Ready again", lambda: "NotReady" not in kubectl("get", "nodes"), 120)


def test_the_workflow_pods_node_has_its_containers_killed_mid_batch(shop: Shop) -> None:
    def kill() -> None:
        pod = workflow_pod()
        node = node_of(pod)
        restarts = restarts_of(pod)
        killed = kill_containers(node)

        def back() -> bool:
            found = ready_pods(WORKFLOW_APP)
            return bool(found) and restarts_of(found[0]) > restarts

        took = wait(f"{node}'s containers killed: pizza-workflow back", back, RECOVERY_S)
        print(f"{node}: {killed} processes SIGKILLed, pizza-workflow Ready again in {took:.1f} s")  # noqa: T201

    drill(shop, "pizza-workflow's node's containers SIGKILLed", kill)


def test_a_batch_through_two_kitchens(shop: Shop) -> None:
    kubectl("scale", "deployment", KITCHEN_APP, "--replicas=2")
    try:
        took = wait("two kitchens Ready", lambda: len(ready_pods(KITCHEN_APP)) == 2, RECOVERY_S)
        print(f"kitchen scaled to 2: both Ready in {took:.1f} s")  # noqa: T201
        kitchens = ready_pods(KITCHEN_APP)
        before = [cooked(pod) for pod in kitchens]
        drill(shop, "two kitchens", lambda: None)
        shares = [cooked(pod) - was for pod, was in zip(kitchens, before, strict=True)]
        print(f"cook calls per kitchen in the batch: {shares}")  # noqa: T201
        assert all(share > 0 for share in shares), "one kitchen did all the cooking"
    finally:
        kubectl("scale", "deployment", KITCHEN_APP, "--replicas=1")
