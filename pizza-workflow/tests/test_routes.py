"""pizza-workflow's routes, against an in-memory workflow client and gateway."""

from flask.testing import FlaskClient

from pizza_common.fixtures import sample_order
from pizza_common.models import Order, ValidationRecord
from pizza_common.names import VALIDATION_EVENT, instance_id, validation_key
from pizza_common.testing import FakeDapr
from pizza_workflow.testing import FakeWorkflowClient
from pizza_workflow.types import WorkflowInput


def pending(dapr: FakeDapr, workflows: FakeWorkflowClient, order_id: str, status: str = "RUNNING") -> None:
    order = Order.model_validate(sample_order(order_id))
    workflows.put(
        instance_id(order_id),
        status,
        stage="pending_validation",
        wf_input=WorkflowInput(order=order, validation_timeout_s=5),
    )
    record = ValidationRecord(order_id=order_id, status="pending_validation")
    dapr.save_state(validation_key(order_id), record.model_dump(mode="json"))


def test_start_order_schedules_the_workflow_under_the_order_id(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    order = sample_order()
    resp = client.post("/start-order", json=order)
    assert resp.status_code == 202
    iid = f"pizza-order-{order['order_id']}"
    assert resp.json == {"order_id": order["order_id"], "workflow_instance_id": iid, "status": "started"}
    assert workflows.status(iid) == "RUNNING"


def test_starting_an_existing_order_is_409_with_its_status(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    order = sample_order()
    workflows.put(
        instance_id(order["order_id"]), "COMPLETED", stage="delivered", output={"status": "delivered"}
    )
    resp = client.post("/start-order", json=order)
    assert resp.status_code == 409
    assert resp.json["runtime_status"] == "COMPLETED"
    assert workflows.status(instance_id(order["order_id"])) == "COMPLETED"


def test_get_status_reports_stage_and_output(client: FlaskClient, workflows: FakeWorkflowClient) -> None:
    workflows.put("pizza-order-s1", "COMPLETED", stage="delivered", output={"status": "delivered"})
    resp = client.get("/get-status/s1")
    assert resp.status_code == 200
    assert resp.json["runtime_status"] == "COMPLETED"
    assert resp.json["stage"] == "delivered"
    assert resp.json["output"] == {"status": "delivered"}
    assert client.get("/get-status/unknown").status_code == 404


def test_validation_raises_the_event_once(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    pending(dapr, workflows, "v1")
    resp = client.post("/validate-pizza", json={"order_id": "v1", "approved": True})
    assert resp.json == {"order_id": "v1", "validation_status": "approved"}
    assert workflows.events == [("pizza-order-v1", VALIDATION_EVENT, {"approved": True})]
    again = client.post("/validate-pizza", json={"order_id": "v1", "approved": False})
    assert again.status_code == 409
    assert len(workflows.events) == 1
    assert dapr.get_state(validation_key("v1"))[0]["status"] == "approved"


def test_validation_needs_a_waiting_order(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    assert client.post("/validate-pizza", json={"order_id": "nobody", "approved": True}).status_code == 404
    workflows.put("pizza-order-v2", "RUNNING", stage="kitchen")
    resp = client.post("/validate-pizza", json={"order_id": "v2", "approved": True})
    assert resp.status_code == 409
    assert resp.json["stage"] == "kitchen"
    assert workflows.events == []


def test_validation_input_is_checked(client: FlaskClient) -> None:
    for bad in ({"order_id": "v3"}, {"order_id": "v3", "approved": "yes"}, {"approved": True}):
        resp = client.post("/validate-pizza", json=bad)
        assert resp.status_code == 422, bad


def test_pause_resume_cancel_follow_the_runtime_status(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    pending(dapr, workflows, "p1")
    assert client.post("/resume-order", json={"order_id": "p1"}).status_code == 409
    assert client.post("/pause-order", json={"order_id": "p1"}).json == {"order_id": "p1", "status": "paused"}
    assert workflows.status("pizza-order-p1") == "SUSPENDED"
    assert client.post("/pause-order", json={"order_id": "p1"}).status_code == 409
    assert client.post("/resume-order", json={"order_id": "p1"}).json["status"] == "resumed"
    assert client.post("/cancel-order", json={"order_id": "p1"}).json["status"] == "cancelled"
    assert workflows.status("pizza-order-p1") == "TERMINATED"
    assert dapr.statuses("p1") == ["cancelled"]
    assert client.post("/cancel-order", json={"order_id": "p1"}).status_code == 409
    assert client.get("/get-status/p1").json["stage"] == "cancelled"
    for route in ("/pause-order", "/resume-order", "/cancel-order"):
        assert client.post(route, json={"order_id": "ghost"}).status_code == 404
        assert client.post(route, json={}).status_code == 422
