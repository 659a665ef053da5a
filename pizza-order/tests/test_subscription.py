"""The orders topic subscription: merge, order, de-duplicate, never lose an update."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from flask.testing import FlaskClient

from pizza_common.contract.models import StatusUpdate
from pizza_common.contract.statuses import ENDED, OrderStatus
from pizza_common.sidecar.dapr_io import ETagMismatch
from pizza_order import store
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order

T0 = datetime.now(UTC) + timedelta(minutes=1)


def event(order_id: str, status: str, seconds: int) -> dict[str, Any]:
    data = sample_order(order_id) | {
        "status": status,
        "timestamp": (T0 + timedelta(seconds=seconds)).isoformat(),
        "event_id": f"{order_id}:{status}",
    }
    return {"id": f"ce-{status}", "specversion": "1.0", "datacontenttype": "application/json", "data": data}


def deliver(client: FlaskClient, body: dict[str, Any]) -> str:
    resp = client.post("/orders-sub", json=body, content_type="application/cloudevents+json")
    assert resp.status_code == 200
    return str(resp.json["status"])


def test_first_event_creates_the_order(client: FlaskClient) -> None:
    assert deliver(client, event("o1", "validating", 0)) == "SUCCESS"
    got = client.get("/order/o1").json
    assert got["status"] == "validating"
    assert got["customer"]["name"] == "Ada Lovelace"


def test_each_status_keeps_the_trace_it_was_reported_in(client: FlaskClient) -> None:
    traced = event("o9", "validating", 0)
    traced["data"]["trace_id"] = "4bf92f3577b34da6a3ce929d0e0e4736"
    deliver(client, traced)
    deliver(client, event("o9", "processing", 1))
    history = client.get("/order/o9").json["history"]
    assert [h.get("trace_id") for h in history] == ["4bf92f3577b34da6a3ce929d0e0e4736", None]


def test_out_of_order_events_are_kept_in_time_order(client: FlaskClient) -> None:
    for status, t in (("confirmed", 3), ("validating", 1), ("processing", 2)):
        deliver(client, event("o2", status, t))
    got = client.get("/order/o2").json
    assert [h["status"] for h in got["history"]] == ["validating", "processing", "confirmed"]
    assert got["status"] == "confirmed"


def test_redelivered_event_is_recorded_once(client: FlaskClient) -> None:
    for _ in range(3):
        assert deliver(client, event("o3", "cooked", 5)) == "SUCCESS"
    assert [h["status"] for h in client.get("/order/o3").json["history"]] == ["cooked"]


def test_events_merge_into_a_posted_order_without_overwriting_it(client: FlaskClient) -> None:
    client.post("/order", json=sample_order("o4", pizza_type="margherita"))
    body = event("o4", "validating", 10)
    body["data"]["pizza_type"] = "pepperoni"
    deliver(client, body)
    got = client.get("/order/o4").json
    assert got["pizza_type"] == "margherita"
    assert [h["status"] for h in got["history"]] == ["received", "validating"]


def test_malformed_event_is_dropped_and_changes_nothing(client: FlaskClient, dapr: FakeDapr) -> None:
    assert deliver(client, {"id": "x", "data": {"order_id": "o5"}}) == "DROP"
    assert deliver(client, {"id": "y", "data": "not an object"}) == "DROP"
    assert dapr.state == {}


def test_lost_races_are_merged_again(client: FlaskClient, dapr: FakeDapr) -> None:
    deliver(client, event("o6", "validating", 0))
    dapr.conflicts_before_save = 3
    assert deliver(client, event("o6", "processing", 1)) == "SUCCESS"
    assert [h["status"] for h in client.get("/order/o6").json["history"]] == ["validating", "processing"]


def test_endless_races_ask_for_redelivery(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.conflicts_before_save = 100
    assert deliver(client, event("o7", "validating", 0)) == "RETRY"


def test_a_late_step_does_not_reopen_an_ended_order(client: FlaskClient) -> None:
    deliver(client, event("o8", "cooking_baking", 1))
    deliver(client, event("o8", "cancelled", 2))
    deliver(client, event("o8", "cooked", 3))
    got = client.get("/order/o8").json
    assert [h["status"] for h in got["history"]] == ["cooking_baking", "cancelled", "cooked"]
    assert got["status"] == "cancelled"


def test_an_ending_stamped_before_a_recorded_step_still_ends_the_order(client: FlaskClient) -> None:
    """The workflow stamps with its orchestration time, the kitchen with its own clock: an end ends."""
    deliver(client, event("o12", "cooking_baking", 3))
    failed = event("o12", "cooking_failed", 2)
    failed["data"]["error"] = "the oven went out"
    deliver(client, failed)
    got = client.get("/order/o12").json
    assert (got["status"], got["error"]) == ("cooking_failed", "the oven went out")
    assert [h["status"] for h in got["history"]] == ["cooking_failed", "cooking_baking"]
    deliver(client, event("o12", "delivery_on_the_way", 4))
    assert client.get("/order/o12").json["status"] == "cooking_failed"  # ended: nothing reopens it


def test_notifications_are_kept_with_their_status(client: FlaskClient) -> None:
    body = event("o9", "payment_charged", 1)
    body["data"]["message"] = "Your payment went through."
    deliver(client, body)
    assert client.get("/order/o9").json["history"][0]["message"] == "Your payment went through."


class RacyDapr(FakeDapr):
    """A state store slow to answer reads, so that concurrent writers of a key would interleave."""

    def __init__(self) -> None:
        super().__init__()
        self.lost_races = 0

    def get_state(self, key: str) -> tuple[Any | None, str | None]:
        time.sleep(0.002)
        return super().get_state(key)

    def save_state(
        self, key: str, value: Any, etag: str | None = None, *, create: bool = False, ttl_s: int | None = None
    ) -> None:
        try:
            super().save_state(key, value, etag, create=create, ttl_s=ttl_s)
        except ETagMismatch:
            self.lost_races += 1
            raise


def test_concurrent_events_of_one_order_take_turns_and_none_is_lost() -> None:
    dapr = RacyDapr()
    statuses = [s for s in OrderStatus if s not in ENDED][:12]
    updates = [StatusUpdate.model_validate(event("o9", s, i)["data"]) for i, s in enumerate(statuses)]
    start = threading.Barrier(len(updates))

    def apply(update: StatusUpdate) -> bool:
        start.wait()  # all at once, as a burst of deliveries
        return store.apply_update(dapr, update)

    with ThreadPoolExecutor(max_workers=len(updates)) as pool:
        assert all(pool.map(apply, updates))
    record, _ = store.load(dapr, "o9")
    assert record is not None
    assert [h.status for h in record.history] == [u.status for u in updates]
    assert dapr.lost_races == 0  # each waited for the one before instead of losing the etag race


def test_the_first_outcome_stands_and_a_later_report_is_recorded_as_late(client: FlaskClient) -> None:
    """Cancelled during delivery: the delivery still finishes and reports `delivered` afterwards."""
    deliver(client, event("o10", "delivery_on_the_way", 1))
    deliver(client, event("o10", "cancelled", 2))
    deliver(client, event("o10", "delivery_arriving", 3))
    deliver(client, event("o10", "delivered", 4))
    got = client.get("/order/o10").json
    assert got["status"] == "cancelled"
    assert [(h["status"], h["late"]) for h in got["history"]] == [
        ("delivery_on_the_way", False),
        ("cancelled", False),
        ("delivery_arriving", True),
        ("delivered", True),
    ]


def test_a_terminated_order_stays_terminated_when_a_cook_in_flight_reports(client: FlaskClient) -> None:
    deliver(client, event("o11", "cooking_preparing_ingredients", 1))
    deliver(client, event("o11", "terminated", 2))
    deliver(client, event("o11", "cooking_baking", 3))
    got = client.get("/order/o11").json
    assert got["status"] == "terminated"
    assert [(h["status"], h["late"]) for h in got["history"]] == [
        ("cooking_preparing_ingredients", False),
        ("terminated", False),
        ("cooking_baking", True),
    ]
