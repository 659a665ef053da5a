"""Cooking: the stages as before, then the attempt's ingredients are consumed exactly once."""

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from pizza_common.contract.statuses import KITCHEN_STAGES
from pizza_common.sidecar.dapr_io import DaprUnavailable
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order

Levels = Callable[[], dict[str, dict[str, Any]]]
STAGES = [status for status, _ in KITCHEN_STAGES]


def reserve(client: FlaskClient, order: dict[str, Any], attempt: int = 0) -> None:
    fields = {k: order[k] for k in ("order_id", "pizza_type")} | {"quantity": order.get("quantity", 1)}
    assert client.post("/reserve", json=fields | {"attempt": attempt}).status_code == 200


def test_cook_consumes_the_reservation(client: FlaskClient, dapr: FakeDapr, levels: Levels) -> None:
    order = sample_order(quantity=2)
    reserve(client, order)
    resp = client.post("/cook", json=order)
    assert resp.status_code == 200
    assert resp.json == order | {"status": "cooked", "attempt": 0, "payment_token": "tok_visa"}
    assert dapr.statuses(order["order_id"]) == [*STAGES, "cooked"]
    assert levels()["mozzarella"] == {"on_hand": 8, "reserved": 0, "available": 8}
    assert levels()["basil"] == {"on_hand": 10, "reserved": 0, "available": 10}


def test_cooking_twice_consumes_once(client: FlaskClient, levels: Levels) -> None:
    order = sample_order()
    reserve(client, order)
    assert client.post("/cook", json=order).status_code == 200
    assert client.post("/cook", json=order).status_code == 200
    assert levels()["mozzarella"] == {"on_hand": 9, "reserved": 0, "available": 9}


def test_a_remake_consumes_its_own_reservation_with_its_own_event_ids(
    client: FlaskClient, dapr: FakeDapr, levels: Levels
) -> None:
    order = sample_order()
    for attempt in (0, 1):
        reserve(client, order, attempt)
        assert client.post("/cook", json=order | {"attempt": attempt}).status_code == 200
    assert levels()["mozzarella"] == {"on_hand": 8, "reserved": 0, "available": 8}
    event_ids = [data["event_id"] for _, data in dapr.published]
    assert len(event_ids) == 2 * len(set(STAGES) | {"cooked"})
    assert len(set(event_ids)) == len(event_ids)
    assert all("attempt" not in data for _, data in dapr.published)


def test_cook_without_a_reservation_takes_from_the_shelf(client: FlaskClient, levels: Levels) -> None:
    order = sample_order(quantity=3)
    assert client.post("/cook", json=order).status_code == 200
    assert client.post("/cook", json=order).status_code == 200
    assert levels()["pepperoni"] == {"on_hand": 7, "reserved": 0, "available": 7}


def test_cook_without_enough_stock_is_409_cooking_failed_and_cooks_nothing(
    client: FlaskClient, dapr: FakeDapr, levels: Levels
) -> None:
    order = sample_order(quantity=11)
    resp = client.post("/cook", json=order)
    assert resp.status_code == 409
    assert resp.json["status"] == "cooking_failed"
    assert resp.json["order_id"] == order["order_id"]
    assert "not enough mozzarella: need 11, 10 available" in resp.json["error"]
    assert dapr.published == []
    assert dapr.state == {}


def test_cook_after_release_is_409(client: FlaskClient, dapr: FakeDapr, levels: Levels) -> None:
    order = sample_order()
    reserve(client, order)
    client.post("/release", json={"order_id": order["order_id"]})
    resp = client.post("/cook", json=order)
    assert resp.status_code == 409
    assert resp.json["status"] == "cooking_failed"
    assert "released" in resp.json["error"]
    assert levels()["mozzarella"] == {"on_hand": 10, "reserved": 0, "available": 10}


def test_a_publish_fault_is_503_and_consumes_nothing(
    client: FlaskClient, dapr: FakeDapr, levels: Levels
) -> None:
    order = sample_order()
    reserve(client, order)
    dapr.fail_publish = DaprUnavailable("pubsub down")
    resp = client.post("/cook", json=order)
    assert resp.status_code == 503
    assert resp.json["status"] == "cooking_failed"
    assert "pubsub down" in resp.json["error"]
    assert levels()["mozzarella"] == {"on_hand": 10, "reserved": 1, "available": 9}
    # The caller's retry cooks it.
    dapr.fail_publish = None
    assert client.post("/cook", json=order).status_code == 200
    assert levels()["mozzarella"] == {"on_hand": 9, "reserved": 0, "available": 9}
