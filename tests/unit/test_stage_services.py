"""Storefront, kitchen and delivery: each works an order through its stages, in order."""

from collections.abc import Callable
from typing import Any

import pytest
from flask_openapi3 import OpenAPI

import pizza_delivery
import pizza_kitchen
import pizza_storefront
from pizza_common.contract.statuses import DELIVERY_STAGES, KITCHEN_STAGES, STOREFRONT_STAGES
from pizza_common.sidecar.dapr_io import DaprUnavailable
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order

SERVICES = [
    pytest.param(
        pizza_storefront.create_app, "/order", [s for s, _ in STOREFRONT_STAGES], "failed", id="storefront"
    ),
    pytest.param(
        pizza_kitchen.create_app,
        "/cook",
        [s for s, _ in KITCHEN_STAGES] + ["cooked"],
        "cooking_failed",
        id="kitchen",
    ),
    pytest.param(
        pizza_delivery.create_app,
        "/deliver",
        [s for s, _ in DELIVERY_STAGES] + ["delivered"],
        "delivery_failed",
        id="delivery",
    ),
]
Factory = Callable[[dict[str, Any]], OpenAPI]


@pytest.mark.parametrize(("factory", "route", "statuses", "failed"), SERVICES)
def test_publishes_every_stage_then_answers_the_final_status(
    factory: Factory, route: str, statuses: list[str], failed: str
) -> None:
    dapr = FakeDapr()
    order = sample_order()
    resp = factory({"TESTING": True, "DAPR": dapr}).test_client().post(route, json=order)
    assert resp.status_code == 200
    assert resp.json["status"] == statuses[-1]
    assert resp.json["order_id"] == order["order_id"]
    assert dapr.statuses(order["order_id"]) == statuses
    assert {topic for topic, _ in dapr.published} == {"orders"}
    event_ids = [data["event_id"] for _, data in dapr.published]
    assert len(set(event_ids)) == len(event_ids)


@pytest.mark.parametrize(("factory", "route", "statuses", "failed"), SERVICES)
def test_a_publish_fault_is_503_with_the_failed_status(
    factory: Factory, route: str, statuses: list[str], failed: str
) -> None:
    dapr = FakeDapr()
    dapr.fail_publish = DaprUnavailable("pubsub down")
    resp = factory({"TESTING": True, "DAPR": dapr}).test_client().post(route, json=sample_order())
    assert resp.status_code == 503
    assert resp.json["status"] == failed
    assert "pubsub down" in resp.json["error"]


@pytest.mark.parametrize(("factory", "route", "statuses", "failed"), SERVICES)
def test_bad_orders_are_refused_without_effects(
    factory: Factory, route: str, statuses: list[str], failed: str
) -> None:
    dapr = FakeDapr()
    client = factory({"TESTING": True, "DAPR": dapr}).test_client()
    assert client.post(route, json={"order_id": "x"}).status_code == 422
    assert client.post(route, data="x", content_type="text/plain").status_code == 415
    assert dapr.published == []


@pytest.mark.parametrize(("factory", "route", "statuses", "failed"), SERVICES)
def test_stage_durations_follow_the_time_scale(
    factory: Factory, route: str, statuses: list[str], failed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr("pizza_common.stages.time.sleep", slept.append)
    monkeypatch.setenv("PIZZA_TIME_SCALE", "0.5")
    factory({"TESTING": True, "DAPR": FakeDapr()}).test_client().post(route, json=sample_order())
    workshop = {**dict(STOREFRONT_STAGES), **dict(KITCHEN_STAGES), **dict(DELIVERY_STAGES)}
    assert slept == [workshop[s] * 0.5 for s in statuses if s in workshop]
