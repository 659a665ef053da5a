"""Live updates: events merged from the orders topic are pushed to the open streams."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pizza_common.service.settings import Settings
from pizza_order import create_app
from pizza_order.broker import broker
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order


def cloud_event(order_id: str, status: str) -> dict[str, Any]:
    data = sample_order(order_id) | {"status": status, "event_id": f"{order_id}:{status}", "message": "hi"}
    return {"id": f"ce-{status}", "specversion": "1.0", "data": data}


def test_a_merged_event_is_pushed_with_its_history_fields(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        sub = broker().subscribe(frozenset({"o1"}))
    resp = client.post("/orders-sub", json=cloud_event("o1", "cooked"))
    assert resp.json == {"status": "SUCCESS"}
    pushed = sub.events.get_nowait()
    assert pushed is not None
    assert {k: pushed[k] for k in ("order_id", "status", "event_id", "message")} == {
        "order_id": "o1",
        "status": "cooked",
        "event_id": "o1:cooked",
        "message": "hi",
    }
    assert "customer" not in pushed and "timestamp" in pushed


def test_a_dropped_event_is_not_pushed(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        sub = broker().subscribe(None)
    resp = client.post("/orders-sub", json={"id": "x", "data": {"order_id": "o1"}})
    assert resp.json == {"status": "DROP"}
    assert sub.events.empty()


def test_an_order_stream_starts_with_the_stored_history(app: Flask, client: FlaskClient) -> None:
    app.config.update(SSE_MAX_S=0.2, SSE_HEARTBEAT_S=0.05)
    for status in ("validating", "processing"):
        client.post("/orders-sub", json=cloud_event("o2", status))
    resp = client.get("/api/orders/o2/events")
    assert resp.status_code == 200
    assert resp.mimetype == "text/event-stream"
    body = resp.get_data(as_text=True)
    assert body.index("id: o2:validating") < body.index("id: o2:processing")
    assert resp.headers["Cache-Control"] == "no-cache"


def test_the_all_orders_stream_ends_at_its_deadline(app: Flask, client: FlaskClient) -> None:
    app.config.update(SSE_MAX_S=0.1, SSE_HEARTBEAT_S=0.02)
    body = client.get("/api/events").get_data(as_text=True)
    assert body.startswith("retry: ")
    assert ": keep-alive" in body
    with app.app_context():
        assert broker().open_streams == 0


def test_the_all_orders_stream_can_follow_some_statuses_only(app: Flask, client: FlaskClient) -> None:
    app.config.update(SSE_MAX_S=0.3, SSE_HEARTBEAT_S=0.05)
    resp = client.get("/api/events?status=pending_validation&status=delivered", buffered=False)
    assert resp.status_code == 200
    for status in ("cooked", "pending_validation", "delivered"):
        client.post("/orders-sub", json=cloud_event("o7", status))
    body = resp.get_data(as_text=True)
    assert "id: o7:pending_validation" in body and "id: o7:delivered" in body
    assert "o7:cooked" not in body


def test_a_stream_of_a_status_that_does_not_exist_is_refused(client: FlaskClient) -> None:
    resp = client.get("/api/events?status=burnt")
    assert resp.status_code == 422
    assert "status" in resp.get_data(as_text=True)


def test_too_many_streams_answer_503_in_json(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        for _ in range(broker().max_streams):
            broker().subscribe(None)
    resp = client.get("/api/events")
    assert resp.status_code == 503
    assert "too many live streams" in resp.json["error"]


def test_a_bad_order_id_is_refused_naming_the_field(client: FlaskClient) -> None:
    resp = client.get("/api/orders/bad%20id!/events")
    assert resp.status_code == 422
    assert resp.json["problems"][0]["field"] == "order_id"


def test_a_head_or_an_unread_stream_gives_its_slot_back(app: Flask, client: FlaskClient) -> None:
    """Any page may send HEAD (fetch no-cors): it must not hold a stream slot for good."""
    with app.app_context():
        slots = broker().max_streams
    for _ in range(slots + 2):
        assert client.head("/api/orders/o1/events").status_code == 200
        client.get("/api/events").close()  # a client that leaves before the first byte
    with app.app_context():
        assert broker().open_streams == 0
    assert client.get("/api/events", buffered=False).status_code == 200


def test_one_client_holds_a_few_streams_at_most(app: Flask, client: FlaskClient) -> None:
    remote = {"REMOTE_ADDR": "192.0.2.7"}  # from the network: loopback clients share the slots
    held = [client.get("/api/events", buffered=False, environ_base=remote) for _ in range(4)]
    refused = client.get("/api/events", buffered=False, environ_base=remote)
    assert [r.status_code for r in held] == [200] * 4
    assert refused.status_code == 429
    assert "live streams from this client" in refused.json["error"]
    for resp in held:
        resp.close()
    assert client.get("/api/events", buffered=False, environ_base=remote).status_code == 200
    assert client.get("/api/events", buffered=False).status_code == 200  # loopback: no share


def test_more_than_one_worker_is_refused_at_start_with_the_reason() -> None:
    settings = Settings().model_copy(update={"workers": 2})
    with pytest.raises(SystemExit, match="PIZZA_WORKERS=2, but pizza-order keeps its live streams"):
        create_app({"TESTING": True, "DAPR": FakeDapr(), "SETTINGS": settings})
