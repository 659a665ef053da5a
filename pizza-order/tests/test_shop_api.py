"""The shop page's API: relayed to the other services through Dapr, codes and errors kept."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from pizza_common.contract.names import STOREFRONT_APP, WORKFLOW_APP
from pizza_common.service.settings import Settings
from pizza_common.sidecar.dapr_io import DaprGateway, DaprUnavailable
from tests.support.dapr_double import CannedPool, FakeDapr
from tests.support.orders import sample_order


def new_order(**overrides: Any) -> dict[str, Any]:
    order = sample_order()
    order.pop("order_id")
    return order | overrides


def test_an_order_is_started_with_an_id_the_shop_picks(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (202, {"order_id": d["order_id"]})
    resp = client.post("/api/orders", json=new_order())
    assert resp.status_code == 202
    ((app_id, method, sent),) = dapr.invoked
    assert (app_id, method) == (WORKFLOW_APP, "start-order")
    assert resp.json["order_id"] == sent["order_id"]
    assert sent["customer"] == sample_order()["customer"]


def test_a_given_id_is_kept(client: FlaskClient, dapr: FakeDapr) -> None:
    client.post("/api/orders", json=new_order(order_id="mine-1"))
    assert dapr.invoked[0][2]["order_id"] == "mine-1"


def test_bad_input_is_refused_here_naming_the_fields(client: FlaskClient, dapr: FakeDapr) -> None:
    order = new_order(quantity=0)
    order["customer"]["phone"] = "call me"
    resp = client.post("/api/orders", json=order)
    assert resp.status_code == 422
    assert {p["field"] for p in resp.json["problems"]} == {"quantity", "customer.phone"}
    assert dapr.invoked == []


def test_a_refusal_of_the_workflow_is_passed_through(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.handlers[WORKFLOW_APP, "pause-order"] = lambda d: (409, {"error": "cannot pause", "stage": "x"})
    resp = client.post("/api/orders/o1/pause", json={})
    assert resp.status_code == 409
    assert resp.json == {"error": "cannot pause", "stage": "x"}


def test_a_failing_service_answers_503_in_json(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.handlers[STOREFRONT_APP, "menu"] = lambda d: (500, {})
    resp = client.get("/api/menu")
    assert resp.status_code == 503
    assert resp.json["error"] == "a dependency is unavailable, try again"


@pytest.mark.parametrize(
    ("path", "body", "method", "sent"),
    [
        ("o1/validate", {"approved": True}, "validate-pizza", {"order_id": "o1", "approved": True}),
        ("o1/approve", {"approved": False}, "approve-order", {"order_id": "o1", "approved": False}),
        ("o1/pause", {}, "pause-order", {"order_id": "o1"}),
        ("o1/resume", {}, "resume-order", {"order_id": "o1"}),
        ("o1/cancel", {}, "cancel-order", {"order_id": "o1"}),
    ],
)
def test_decisions_and_actions_go_to_the_workflow(
    client: FlaskClient, dapr: FakeDapr, path: str, body: dict[str, Any], method: str, sent: dict[str, Any]
) -> None:
    assert client.post(f"/api/orders/{path}", json=body).status_code == 200
    assert dapr.invoked == [(WORKFLOW_APP, method, sent)]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/orders/o1/validate", {"approved": "yes"}, "approved"),
        ("/api/orders/o1/approve", {}, "approved"),
        ("/api/orders/o1/explode", {}, "action"),
    ],
)
def test_bad_decisions_and_actions_name_the_field(
    client: FlaskClient, dapr: FakeDapr, path: str, body: dict[str, Any], field: str
) -> None:
    resp = client.post(path, json=body)
    assert resp.status_code == 422
    assert resp.json["problems"][0]["field"] == field
    assert dapr.invoked == []


def test_menu_and_orders_are_read_through_the_sidecar(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.handlers[STOREFRONT_APP, "menu"] = lambda d: (200, {"pizzas": []})
    page = {"orders": [], "next": "WyIzIiwgMF0="}
    dapr.handlers[WORKFLOW_APP, "orders?status=RUNNING&limit=5&cursor=WyIwIiwgMF0%3D"] = lambda d: (200, page)
    assert client.get("/api/menu").json == {"pizzas": []}
    assert client.get("/api/orders?status=RUNNING&limit=5&cursor=WyIwIiwgMF0=").json == page


@pytest.mark.parametrize("query", ["limit=500", "status=DONE", "cursor=no%20way"])
def test_a_bad_page_request_is_refused_before_it_reaches_the_workflow(
    client: FlaskClient, dapr: FakeDapr, query: str
) -> None:
    assert client.get(f"/api/orders?{query}").status_code == 422
    assert dapr.invoked == []


def test_an_order_status_carries_the_stored_history(client: FlaskClient, dapr: FakeDapr) -> None:
    client.post("/order", json=sample_order("o9"))
    dapr.handlers[WORKFLOW_APP, "get-status/o9"] = lambda d: (200, {"order_id": "o9", "stage": "delivery"})
    got = client.get("/api/orders/o9").json
    assert got["stage"] == "delivery"
    assert [h["status"] for h in got["history"]] == ["received"]
    assert got["history"][0]["order_id"] == "o9"


def test_an_unknown_order_status_is_the_workflow_404(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.handlers[WORKFLOW_APP, "get-status/nope"] = lambda d: (404, {"error": "order nope not found"})
    resp = client.get("/api/orders/nope")
    assert resp.status_code == 404
    assert resp.json == {"error": "order nope not found"}


def test_journey_and_page_are_served(client: FlaskClient) -> None:
    journey = client.get("/api/journey").json
    assert journey["steps"][0]["status"] == "validating"
    assert journey["steps"][-1]["status"] == journey["delivered"] == "delivered"
    page = client.get("/")
    assert page.status_code == 200
    assert b'<form id="order-form"' in page.data
    assert client.get("/static/js/app.js").status_code == 200


def sidecar(status: int, body: Any) -> DaprGateway:
    return DaprGateway(pool=CannedPool((status, body)))


def test_the_gateway_get_keeps_codes_and_raises_on_faults() -> None:
    assert sidecar(200, {"a": 1}).invoke_get("x", "menu").body == {"a": 1}
    assert sidecar(404, b"nope").invoke_get("x", "m").body == {"error": "nope"}
    with pytest.raises(DaprUnavailable):
        sidecar(500, b"down").invoke_get("x", "m")


KEY = "k3y-of-one-order-7f3a"


def test_a_retry_with_the_same_key_is_the_first_order_started_once(
    client: FlaskClient, dapr: FakeDapr
) -> None:
    started: set[str] = set()

    def start(d: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if d["order_id"] in started:
            return 409, {"error": f"cannot start order {d['order_id']}", "runtime_status": "RUNNING"}
        started.add(d["order_id"])
        return 202, {"order_id": d["order_id"], "status": "started"}

    dapr.handlers[WORKFLOW_APP, "start-order"] = start
    first = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY})
    again = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json["order_id"] == first.json["order_id"]
    assert again.json["order_token"] == first.json["order_token"]
    assert len(started) == 1
    other = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY + "-2"})
    assert other.json["order_id"] != first.json["order_id"] and len(started) == 2
    assert not any(KEY in key for key in dapr.state)  # only a hash of the key is stored
    assert set(dapr.ttls.values()) == {Settings().retention_s}  # a retry after that is a new order


def test_the_same_key_with_another_order_is_refused_naming_it(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (202, {"order_id": d["order_id"]})
    assert client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY}).status_code == 202
    changed = client.post("/api/orders", json=new_order(size="small"), headers={"Idempotency-Key": KEY})
    assert changed.status_code == 422
    assert changed.json["problems"] == [
        {
            "field": "Idempotency-Key",
            "problem": "sent before with a different order: send a new key for a new order",
        }
    ]
    assert len(dapr.invoked) == 1


@pytest.mark.parametrize("key", ["short", "has spaces in it, sixteen+", "x" * 129])
def test_a_malformed_key_is_refused(client: FlaskClient, dapr: FakeDapr, key: str) -> None:
    resp = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": key})
    assert resp.status_code == 422 and resp.json["problems"][0]["field"] == "Idempotency-Key"
    assert dapr.invoked == [] and dapr.state == {}


def test_a_refused_order_frees_its_key_and_a_lost_start_is_started_by_the_retry(
    client: FlaskClient, dapr: FakeDapr
) -> None:
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (409, {"error": "order id was used before"})
    refused = client.post("/api/orders", json=new_order(order_id="taken-1"), headers={"Idempotency-Key": KEY})
    assert refused.status_code == 409 and dapr.state == {}
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (503, {})
    assert client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY}).status_code == 503
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (202, {"order_id": d["order_id"]})
    retried = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY})
    assert retried.status_code == 202
    assert [d["order_id"] for _, _, d in dapr.invoked][-2:] == [retried.json["order_id"]] * 2


def test_the_first_request_loses_its_start_to_a_retry_sent_at_the_same_time(
    client: FlaskClient, dapr: FakeDapr
) -> None:
    """The retry started the order before the first request did: both answer it, neither frees the key."""
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (409, {"error": "started concurrently"})
    lost = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY})
    assert lost.status_code == 202 and lost.json["repeated"] is True
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (202, {"order_id": d["order_id"]})
    again = client.post("/api/orders", json=new_order(), headers={"Idempotency-Key": KEY})
    assert again.json["order_id"] == lost.json["order_id"]
