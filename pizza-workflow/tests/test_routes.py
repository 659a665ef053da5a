"""pizza-workflow's routes, against an in-memory workflow client and gateway."""

from datetime import datetime
from typing import Any

import pytest
from dapr.ext.workflow._durabletask.internal import protos as pb
from flask.testing import FlaskClient

from pizza_common.contract.models import Order
from pizza_common.release import VERSION
from pizza_common.service.settings import Settings
from pizza_workflow import create_app
from pizza_workflow.checks import MANAGER, QUALITY, Record
from pizza_workflow.ids import claim_key, instance_id
from pizza_workflow.settings import WorkflowSettings
from pizza_workflow.types import Progress, WorkflowInput
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order
from tests.support.workflow_doubles import FakeWorkflowClient


def waiting(
    dapr: FakeDapr,
    workflows: FakeWorkflowClient,
    order_id: str,
    *,
    key: str = "validation",
    status: str = "RUNNING",
    attempt: int = 0,
) -> None:
    """Put an order's workflow at a human decision, as the workflow leaves it."""
    order = Order.model_validate(sample_order(order_id))
    stage = "pending_validation" if key == "validation" else "awaiting_manager_approval"
    workflows.put(
        instance_id(order_id),
        status,
        stage=Progress(stage=stage),
        wf_input=WorkflowInput(order=order, validation_timeout_s=5),
    )
    check = QUALITY if key == "validation" else MANAGER
    record = Record(order_id=order_id, status=check.waiting, attempt=attempt)
    dapr.save_state(check.key(order_id), record.model_dump(mode="json"))


def test_start_order_schedules_the_workflow_under_the_order_id(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    order = sample_order()
    resp = client.post("/start-order", json=order)
    assert resp.status_code == 202
    iid = f"pizza-order-{order['order_id']}"
    assert resp.json == {"order_id": order["order_id"], "workflow_instance_id": iid, "status": "started"}
    assert workflows.status(iid) == "RUNNING"
    # The order runs this release's workflow for good, whatever release takes it up later.
    started = WorkflowInput.model_validate_json(workflows.instances[iid].serialized_input or "")
    assert started.release == VERSION


def test_start_order_refuses_what_the_menu_has_not(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    resp = client.post("/start-order", json=sample_order(pizza_type="sushi"))
    assert resp.status_code == 422
    assert "'margherita', 'pepperoni', 'hawaiian' or 'veggie'" in resp.json["problems"][0]["problem"]
    assert client.post("/start-order", json=sample_order(total_cents=1)).status_code == 422
    assert workflows.instances == {}


def test_starting_an_existing_order_is_409_with_its_status(
    client: FlaskClient, workflows: FakeWorkflowClient, dapr: FakeDapr
) -> None:
    order = sample_order()
    assert client.post("/start-order", json=order).status_code == 202
    iid = instance_id(order["order_id"])
    workflows.put(iid, "COMPLETED", stage="delivered", output={"status": "delivered"})
    resp = client.post("/start-order", json=order)
    assert resp.status_code == 409
    assert resp.json["runtime_status"] == "COMPLETED"
    assert workflows.status(iid) == "COMPLETED"
    assert dapr.get_state(claim_key(order["order_id"]))[0] == {"instance_id": iid}


def test_get_status_reports_progress_and_output(client: FlaskClient, workflows: FakeWorkflowClient) -> None:
    progress = Progress(stage="delivered", total_cents=1800, payment="charged", inventory="consumed")
    workflows.put("pizza-order-s1", "COMPLETED", stage=progress, output={"status": "delivered"})
    resp = client.get("/get-status/s1")
    assert resp.status_code == 200
    assert resp.json["runtime_status"] == "COMPLETED"
    assert (resp.json["stage"], resp.json["payment"], resp.json["total_cents"]) == (
        "delivered",
        "charged",
        1800,
    )
    assert resp.json["output"] == {"status": "delivered"}
    assert client.get("/get-status/unknown").status_code == 404


def test_validation_raises_the_event_once(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    waiting(dapr, workflows, "v1", attempt=1)
    resp = client.post("/validate-pizza", json={"order_id": "v1", "approved": True})
    assert resp.json == {"order_id": "v1", "validation_status": "approved"}
    assert workflows.events == [("pizza-order-v1", "ValidationComplete", {"approved": True, "attempt": 1})]
    again = client.post("/validate-pizza", json={"order_id": "v1", "approved": False})
    assert again.status_code == 409
    assert len(workflows.events) == 1
    assert dapr.get_state(QUALITY.key("v1"))[0]["status"] == "approved"


def test_the_same_decision_again_while_still_waiting_is_raised_again(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    waiting(dapr, workflows, "v4")
    assert client.post("/validate-pizza", json={"order_id": "v4", "approved": True}).status_code == 200
    # The workflow has not moved on (the event was lost in a crash): the same answer is sent again.
    again = client.post("/validate-pizza", json={"order_id": "v4", "approved": True})
    assert again.json == {"order_id": "v4", "validation_status": "approved"}
    assert len(workflows.events) == 2
    other = client.post("/validate-pizza", json={"order_id": "v4", "approved": False})
    assert other.status_code == 409
    assert len(workflows.events) == 2


def test_validation_needs_a_waiting_order(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    assert client.post("/validate-pizza", json={"order_id": "nobody", "approved": True}).status_code == 404
    workflows.put("pizza-order-v2", "RUNNING", stage="kitchen")
    resp = client.post("/validate-pizza", json={"order_id": "v2", "approved": True})
    assert resp.status_code == 409
    assert workflows.events == []


def test_manager_approval_is_taken_once_and_only_when_asked(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    waiting(dapr, workflows, "m1", key="approval")
    assert client.post("/approve-order", json={"order_id": "m1", "approved": True}).json == {
        "order_id": "m1",
        "approval_status": "approved",
    }
    assert workflows.events == [("pizza-order-m1", "ManagerApproval", {"approved": True, "attempt": 0})]
    second = client.post("/approve-order", json={"order_id": "m1", "approved": False})
    assert second.status_code == 409
    waiting(dapr, workflows, "m2")  # waits for its quality check, needs no manager
    needless = client.post("/approve-order", json={"order_id": "m2", "approved": True})
    assert needless.status_code == 409
    assert "needs no manager approval" in needless.json["error"]
    assert client.post("/approve-order", json={"order_id": "m3", "approved": True}).status_code == 404
    assert len(workflows.events) == 1


def test_decision_input_is_checked(client: FlaskClient) -> None:
    for route in ("/validate-pizza", "/approve-order"):
        for bad in ({"order_id": "v3"}, {"order_id": "v3", "approved": "yes"}, {"approved": True}):
            assert client.post(route, json=bad).status_code == 422, (route, bad)


def test_pause_resume_follow_the_runtime_status(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    waiting(dapr, workflows, "p1")
    assert client.post("/resume-order", json={"order_id": "p1"}).status_code == 409
    assert client.post("/pause-order", json={"order_id": "p1"}).json == {"order_id": "p1", "status": "paused"}
    assert workflows.status("pizza-order-p1") == "SUSPENDED"
    assert client.post("/pause-order", json={"order_id": "p1"}).status_code == 409
    assert client.post("/resume-order", json={"order_id": "p1"}).json["status"] == "resumed"
    for route in ("/pause-order", "/resume-order", "/cancel-order", "/terminate-order"):
        assert client.post(route, json={"order_id": "ghost"}).status_code == 404
        assert client.post(route, json={}).status_code == 422


def _takes_cancels(workflows: FakeWorkflowClient) -> None:
    """Have the workflow take a cancel as the real one does: compensating, heading to cancelled."""

    def take(iid: str, name: str, data: Any) -> None:
        if name == "CancelOrder":
            workflows.put(iid, "RUNNING", stage=Progress(stage="compensating", ending="cancelled"))

    workflows.on_event = take


def test_cancel_asks_the_workflow_to_compensate(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    waiting(dapr, workflows, "c1", status="SUSPENDED")
    _takes_cancels(workflows)
    assert client.post("/cancel-order", json={"order_id": "c1"}).json == {
        "order_id": "c1",
        "status": "cancelled",
    }
    assert workflows.events == [("pizza-order-c1", "CancelOrder", {"reason": "cancelled by the customer"})]
    assert workflows.status("pizza-order-c1") == "RUNNING"  # resumed so that it can act on it
    workflows.put("pizza-order-c2", "COMPLETED", output={"status": "delivered"})
    assert client.post("/cancel-order", json={"order_id": "c2"}).status_code == 409


def test_a_cancel_is_refused_once_the_pizza_is_out_for_delivery(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    """The customer would get the pizza and the refund: the workflow no longer takes a cancel there."""
    workflows.put("pizza-order-d1", "RUNNING", stage="delivery")
    resp = client.post("/cancel-order", json={"order_id": "d1"})
    assert (resp.status_code, resp.json["stage"]) == (409, "delivery")
    assert workflows.events == []


def test_a_cancel_the_workflow_moves_past_gets_409_with_the_orders_state(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    """Approved between the route's check and the raise: the workflow is out for delivery, not cancelled."""
    waiting(dapr, workflows, "m1")
    workflows.on_event = lambda iid, name, data: workflows.put(iid, "RUNNING", stage="delivery")
    resp = client.post("/cancel-order", json={"order_id": "m1"})
    assert (resp.status_code, resp.json["stage"]) == (409, "delivery")
    workflows.on_event = lambda iid, name, data: workflows.put(
        iid, "COMPLETED", stage="delivered", output={"status": "delivered"}
    )
    waiting(dapr, workflows, "m2")
    assert client.post("/cancel-order", json={"order_id": "m2"}).json["runtime_status"] == "COMPLETED"
    waiting(dapr, workflows, "m3")
    heading = Progress(stage="compensating", ending="out_of_stock")
    workflows.on_event = lambda iid, name, data: workflows.put(iid, "RUNNING", stage=heading)
    assert client.post("/cancel-order", json={"order_id": "m3"}).status_code == 409


def test_a_cancel_the_workflow_has_not_taken_in_time_is_202_not_200(
    dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    app = create_app(
        {
            "TESTING": True,
            "DAPR": dapr,
            "WORKFLOW_CLIENT": workflows,
            "WORKFLOW_RUNTIME": False,
            "WORKFLOW_SETTINGS": WorkflowSettings(cancel_wait_s=0.2),
        }
    )
    waiting(dapr, workflows, "w1")
    resp = app.test_client().post("/cancel-order", json={"order_id": "w1"})
    assert resp.status_code == 202
    assert resp.json == {"order_id": "w1", "status": "cancel_requested", "stage": "pending_validation"}


def test_terminate_is_a_hard_stop(client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient) -> None:
    waiting(dapr, workflows, "t1")
    assert client.post("/terminate-order", json={"order_id": "t1"}).json["status"] == "terminated"
    assert workflows.status("pizza-order-t1") == "TERMINATED"
    assert dapr.statuses("t1") == ["terminated"]
    assert client.get("/get-status/t1").json["stage"] == "terminated"


def test_list_filters_by_status_and_purge_removes_finished(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    workflows.put("pizza-order-l1", "RUNNING", stage="kitchen")
    workflows.put("pizza-order-l2", "COMPLETED", stage="delivered", output={"status": "delivered"})
    workflows.put("other-workflow", "COMPLETED")
    assert {o["order_id"] for o in client.get("/orders").json["orders"]} == {"l1", "l2"}
    assert [o["order_id"] for o in client.get("/orders?status=RUNNING").json["orders"]] == ["l1"]
    assert client.get("/orders?status=NOPE").status_code == 422
    assert client.get("/orders").json["next"] is None
    assert client.post("/purge-orders", json={}).json == {"purged": ["l2"], "next": None}
    assert set(workflows.instances) == {"pizza-order-l1", "other-workflow"}


def test_an_order_id_is_used_once_even_after_its_workflow_is_purged(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    order = sample_order()
    assert client.post("/start-order", json=order).status_code == 202
    workflows.put(f"pizza-order-{order['order_id']}", "COMPLETED")
    assert client.post("/purge-orders", json={}).json["purged"] == [order["order_id"]]
    again = client.post("/start-order", json=order)
    assert again.status_code == 409
    assert "used before" in again.json["error"]
    assert f"pizza-order-{order['order_id']}" not in workflows.instances  # nothing started a second time


def test_a_cancel_is_refused_once_the_order_is_ending(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    """The workflow no longer listens while it compensates: a 'cancelled' answer would be untrue."""
    workflows.put("pizza-order-e1", "RUNNING", stage="compensating")
    resp = client.post("/cancel-order", json={"order_id": "e1"})
    assert resp.status_code == 409
    assert resp.json["stage"] == "compensating"
    assert workflows.events == []


def test_the_orders_list_comes_a_page_at_a_time_and_the_pages_add_up(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    for n in range(23):
        workflows.put(f"pizza-order-p{n:02}", "COMPLETED" if n % 3 else "RUNNING", stage="kitchen")
    workflows.put("other-workflow", "RUNNING")
    seen, cursor, pages = [], None, 0
    while True:
        answer = client.get(
            "/orders", query_string={"limit": 5, **({"cursor": cursor} if cursor else {})}
        ).json
        assert len(answer["orders"]) <= 5
        seen += [o["order_id"] for o in answer["orders"]]
        pages, cursor = pages + 1, answer["next"]
        if cursor is None:
            break
    assert seen == [f"p{n:02}" for n in range(23)]
    assert pages == 5
    running = client.get("/orders", query_string={"status": "RUNNING", "limit": 3}).json
    assert [o["order_id"] for o in running["orders"]] == ["p00", "p03", "p06"]
    rest = client.get("/orders", query_string={"status": "RUNNING", "cursor": running["next"]}).json
    assert [o["order_id"] for o in rest["orders"]] == ["p09", "p12", "p15", "p18", "p21"]
    assert rest["next"] is None
    both = client.get("/orders", query_string=[("status", "RUNNING"), ("status", "COMPLETED")]).json
    assert len(both["orders"]) == 23


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"cursor": "bm90IGpzb24"}, "cursor"),
        ({"cursor": "a b"}, "cursor"),
        ({"size": 3}, "size"),
    ],
)
def test_a_bad_page_request_is_a_422_naming_the_field(
    client: FlaskClient, query: dict[str, object], field: str
) -> None:
    answer = client.get("/orders", query_string=query)
    assert answer.status_code == 422
    assert [p["field"] for p in answer.json["problems"]] == [field]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/validate-pizza", {"order_id": "s1", "approved": True}),
        ("/approve-order", {"order_id": "s1", "approved": True}),
        ("/pause-order", {"order_id": "s1"}),
        ("/resume-order", {"order_id": "s1"}),
        ("/cancel-order", {"order_id": "s1"}),
        ("/terminate-order", {"order_id": "s1"}),
        ("/purge-orders", {}),
        ("/sweep-orders", {}),
        ("/orders", None),
    ],
)
def test_with_a_staff_token_set_the_staff_routes_need_it(
    dapr: FakeDapr, workflows: FakeWorkflowClient, path: str, body: dict[str, object] | None
) -> None:
    settings = Settings().model_copy(update={"staff_token": "st"})
    app = create_app(
        {
            "TESTING": True,
            "DAPR": dapr,
            "WORKFLOW_CLIENT": workflows,
            "WORKFLOW_RUNTIME": False,
            "SETTINGS": settings,
            "WORKFLOW_SETTINGS": WorkflowSettings(cancel_wait_s=0.1),
        }
    )
    client = app.test_client()
    waiting(dapr, workflows, "s1")
    method = "GET" if body is None else "POST"

    def send(**headers: str) -> Any:
        return client.open(path, method=method, json=body, headers=headers)

    refused = send()
    assert refused.status_code == 403 and "staff only" in refused.json["error"]
    assert workflows.status("pizza-order-s1") == "RUNNING" and workflows.events == []
    assert send(**{"X-Staff-Token": "st"}).status_code != 403
    assert client.get("/get-status/s1").status_code == 200  # what a customer reads stays open


def _event(event_id: int, second: int, **payload: Any) -> pb.HistoryEvent:
    event = pb.HistoryEvent(eventId=event_id, **payload)
    event.timestamp.FromDatetime(datetime(2026, 12, 1, 12, 0, second))
    return event


def test_get_status_with_history_lists_the_engines_steps_with_their_times(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    workflows.put("pizza-order-h1", "RUNNING", stage="pending_validation")
    workflows.histories["pizza-order-h1"] = [
        _event(-1, 0, workflowStarted=pb.WorkflowStartedEvent()),
        _event(-1, 0, executionStarted=pb.ExecutionStartedEvent(name="pizza_workflow")),
        _event(0, 1, taskScheduled=pb.TaskScheduledEvent(name="take_order")),
        _event(-1, 2, workflowCompleted=pb.WorkflowCompletedEvent()),
        _event(
            -1,
            3,
            taskFailed=pb.TaskFailedEvent(
                taskScheduledId=0, failureDetails=pb.TaskFailureDetails(errorMessage="503")
            ),
        ),
        _event(-1, 4, taskCompleted=pb.TaskCompletedEvent(taskScheduledId=0)),
    ]
    assert "history" not in client.get("/get-status/h1").json
    resp = client.get("/get-status/h1?history=true")
    assert resp.status_code == 200
    assert resp.json["stage"] == "pending_validation"
    assert resp.json["history"] == [
        {"at": "2026-12-01T12:00:00+00:00", "event": "execution_started", "name": "pizza_workflow"},
        {"at": "2026-12-01T12:00:01+00:00", "event": "task_scheduled", "name": "take_order"},
        {"at": "2026-12-01T12:00:03+00:00", "event": "task_failed", "name": "take_order", "error": "503"},
        {"at": "2026-12-01T12:00:04+00:00", "event": "task_completed", "name": "take_order"},
    ]


def test_purge_reads_a_page_per_request_and_misses_none(
    client: FlaskClient, workflows: FakeWorkflowClient
) -> None:
    finished = {f"p{i:02}" for i in range(0, 25, 2)}
    for i in range(25):  # finished and running ones interleaved, in the runtime's (sorted) order
        status = "COMPLETED" if f"p{i:02}" in finished else "RUNNING"
        workflows.put(f"pizza-order-p{i:02}", status, stage="delivered")
    reads: list[int] = []
    read = workflows.get_workflow_state
    workflows.get_workflow_state = lambda iid, **kw: reads.append(1) or read(iid, **kw)  # type: ignore[method-assign]
    purged: list[str] = []
    cursor, requests = None, 0
    while requests == 0 or cursor is not None:
        page = client.post("/purge-orders", json={"limit": 4} | ({"cursor": cursor} if cursor else {})).json
        purged += page["purged"]
        cursor, requests = page["next"], requests + 1
        assert len(reads) <= 4 * requests  # never more than `limit` workflows read per request
    assert sorted(purged) == sorted(finished)
    assert {iid.removeprefix("pizza-order-") for iid in workflows.instances} == {
        f"p{i:02}" for i in range(25)
    } - finished
    bad = client.post("/purge-orders", json={"cursor": "bm90LWEtY3Vyc29y"})
    assert bad.status_code == 422 and bad.json["problems"][0]["field"] == "cursor"
    assert client.post("/purge-orders", json={"limit": 501}).status_code == 422


def test_every_key_of_an_order_the_workflow_writes_has_a_lifetime(
    client: FlaskClient, dapr: FakeDapr, workflows: FakeWorkflowClient
) -> None:
    retention = Settings().retention_s
    order = sample_order()
    assert client.post("/start-order", json=order).status_code == 202
    assert dapr.ttls[claim_key(order["order_id"])] == 2 * retention  # outlives the order's other keys
    waiting(dapr, workflows, "v1")
    assert client.post("/validate-pizza", json={"order_id": "v1", "approved": True}).status_code == 200
    assert dapr.ttls[QUALITY.key("v1")] == retention
