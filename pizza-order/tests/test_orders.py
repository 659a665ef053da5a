"""pizza-order's routes: create, read, delete, and the rules for bad input."""

from typing import Any

from flask.testing import FlaskClient

from pizza_common.service.settings import Settings
from pizza_order.store import order_key
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order


def test_create_then_get_returns_the_stored_order(client: FlaskClient, dapr: FakeDapr) -> None:
    order = sample_order()
    created = client.post("/order", json=order)
    assert created.status_code == 201
    assert created.json["status"] == "received"
    got = client.get(f"/order/{order['order_id']}")
    assert got.status_code == 200
    assert got.json["customer"] == order["customer"]
    assert [h["status"] for h in got.json["history"]] == ["received"]
    assert order_key(order["order_id"]) in dapr.state
    assert dapr.ttls[order_key(order["order_id"])] == Settings().retention_s


def test_each_status_renews_the_orders_lifetime(client: FlaskClient, dapr: FakeDapr) -> None:
    event = sample_order("o5") | {"status": "delivered", "event_id": "o5:delivered"}
    assert client.post("/orders-sub", json={"id": "e1", "data": event}).json == {"status": "SUCCESS"}
    assert dapr.ttls[order_key("o5")] == Settings().retention_s


def test_create_twice_is_409_and_keeps_the_first(client: FlaskClient, dapr: FakeDapr) -> None:
    order = sample_order()
    client.post("/order", json=order)
    again = client.post("/order", json=order | {"pizza_type": "hawaiian"})
    assert again.status_code == 409
    assert again.json["status"] == "received"
    assert client.get(f"/order/{order['order_id']}").json["pizza_type"] == "pepperoni"


def test_unknown_order_is_404_json(client: FlaskClient) -> None:
    for resp in (client.get("/order/nope-1"), client.delete("/order/nope-1")):
        assert resp.status_code == 404
        assert "nope-1" in resp.json["error"]


def test_delete_removes_the_order(client: FlaskClient, dapr: FakeDapr) -> None:
    order = sample_order()
    client.post("/order", json=order)
    assert client.delete(f"/order/{order['order_id']}").json == {
        "order_id": order["order_id"],
        "deleted": True,
    }
    assert client.get(f"/order/{order['order_id']}").status_code == 404
    assert dapr.state == {}


def test_missing_and_empty_fields_are_named(client: FlaskClient, dapr: FakeDapr) -> None:
    order = sample_order()
    del order["order_id"]
    order["customer"]["name"] = "   "
    resp = client.post("/order", json=order)
    assert resp.status_code == 422
    fields = {p["field"] for p in resp.json["problems"]}
    assert fields == {"order_id", "customer.name"}
    assert dapr.state == {}


def test_wrong_types_and_unknown_fields_are_422(client: FlaskClient) -> None:
    for bad in (sample_order(size=12), sample_order(customer="Ada"), sample_order(extra=1), [1, 2]):
        resp = client.post("/order", json=bad)
        assert resp.status_code == 422, bad
        assert resp.json["error"].startswith("invalid request")


def test_bad_ids_are_rejected(client: FlaskClient) -> None:
    assert client.post("/order", json=sample_order("../etc")).status_code == 422
    assert client.post("/order", json=sample_order("x" * 65)).status_code == 422
    assert client.get("/order/" + "x" * 65).status_code == 422


def test_non_json_invalid_json_and_oversized_bodies(client: FlaskClient, dapr: FakeDapr) -> None:
    assert client.post("/order", data="order_id=1", content_type="text/plain").status_code == 415
    assert client.post("/order", data="{not json", content_type="application/json").status_code == 400
    huge = sample_order(pizza_type="p" * 100_000)
    resp = client.post("/order", json=huge)
    assert resp.status_code == 413
    assert "error" in resp.json
    assert dapr.state == {}


def test_a_new_order_cannot_bring_its_own_status(client: FlaskClient, dapr: FakeDapr) -> None:
    """A client-chosen status used to pin the record at delivered before the real order existed."""
    order = sample_order()
    resp = client.post("/order", json=order | {"status": "delivered"})
    assert resp.status_code == 422
    assert resp.json["problems"][0]["field"] == "status"
    assert dapr.state == {}
    assert client.post("/order", json=order | {"status": "received"}).status_code == 201


def test_a_delete_that_races_a_status_update_is_409_and_keeps_the_update(
    client: FlaskClient, dapr: FakeDapr
) -> None:
    order = sample_order()
    client.post("/order", json=order)
    key = order_key(order["order_id"])
    real_get = dapr.get_state

    def get_then_update(k: str) -> Any:
        value, etag = real_get(k)
        if k == key:  # a status merge lands right after the read
            dapr.save_state(k, value | {"status": "validating"}, etag)
        return value, etag

    dapr.get_state = get_then_update  # type: ignore[method-assign]
    resp = client.delete(f"/order/{order['order_id']}")
    assert resp.status_code == 409
    assert "try again" in resp.json["error"]
    assert real_get(key)[0]["status"] == "validating"
