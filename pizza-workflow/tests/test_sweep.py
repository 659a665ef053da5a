"""The safety net: a failed order's money and stock come back, once, and its customer is told."""

from typing import Any

from flask.testing import FlaskClient

from pizza_common.contract.models import Order
from pizza_common.contract.names import KITCHEN_APP, STOREFRONT_APP
from pizza_workflow import sweep
from pizza_workflow.ids import instance_id
from pizza_workflow.types import WorkflowInput
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order
from tests.support.workflow_doubles import FakeWorkflowClient

MISMATCH = "NonDeterminismError: A previous execution called call_activity with ID=6"


class Services:
    """The storefront's and the kitchen's answers: one charge of 900 and one reservation, given back once."""

    def __init__(self, dapr: FakeDapr) -> None:
        self.charged, self.held = 900, {"dough": 1, "sauce": 1}
        dapr.handlers[(STOREFRONT_APP, "refund")] = self.refund
        dapr.handlers[(KITCHEN_APP, "release")] = self.release

    def refund(self, body: Any) -> tuple[int, Any]:
        amount, self.charged = self.charged, 0
        status = "refunded" if amount else "nothing_to_refund"
        return 200, {"order_id": body["order_id"], "status": status, "amount_cents": amount}

    def release(self, body: Any) -> tuple[int, Any]:
        items, self.held = self.held, {}
        return 200, {"order_id": body["order_id"], "status": "released", "items": items}


def _failed(workflows: FakeWorkflowClient, order_id: str, status: str = "FAILED") -> None:
    order = Order.model_validate(sample_order(order_id))
    failure = MISMATCH if status == "FAILED" else None
    iid, wf_input = instance_id(order_id), WorkflowInput(order=order)
    workflows.put(iid, status, stage="pending_validation", wf_input=wf_input, failure=failure)


def test_a_failed_order_is_refunded_released_and_told_once(
    dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    services = Services(dapr)
    _failed(workflows, "f1")
    _failed(workflows, "r1", status="RUNNING")
    _failed(workflows, "c1", status="COMPLETED")
    swept = sweep.sweep(workflows, dapr)
    assert [(s.order_id, s.refunded_cents, s.released) for s in swept] == [
        ("f1", 900, {"dough": 1, "sauce": 1})
    ]
    assert (services.charged, services.held) == (0, {})
    assert dapr.statuses("f1") == ["failed"]
    assert MISMATCH in dapr.published[-1][1]["error"]
    assert dapr.statuses("r1") == dapr.statuses("c1") == []  # running and completed orders are theirs
    assert sweep.sweep(workflows, dapr) == []  # swept once: no second refund, no second message
    assert [m for _, m, _ in dapr.invoked] == ["refund", "release"]


def test_operators_sweep_on_request(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    Services(dapr)
    _failed(workflows, "f2")
    resp = client.post("/sweep-orders", json={})  # staff only once a staff token is set: test_routes
    assert resp.status_code == 200, resp.json
    assert [s["order_id"] for s in resp.json["swept"]] == ["f2"]
    assert resp.json["swept"][0]["refunded_cents"] == 900
