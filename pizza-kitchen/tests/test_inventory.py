"""The inventory: its default stock, restocking, and the rules for bad input."""

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from pizza_common.contract.menu import INGREDIENTS
from pizza_kitchen import create_app
from pizza_kitchen.settings import KitchenSettings
from tests.support.dapr_double import FakeDapr

Levels = Callable[[], dict[str, dict[str, Any]]]


def test_a_new_kitchen_has_the_initial_stock_of_every_ingredient(levels: Levels, dapr: FakeDapr) -> None:
    assert levels() == {name: {"on_hand": 10, "reserved": 0, "available": 10} for name in INGREDIENTS}
    assert dapr.state == {}  # reading writes nothing


def test_the_initial_stock_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIZZA_INITIAL_STOCK", "7")
    client = create_app({"TESTING": True, "DAPR": FakeDapr()}).test_client()
    on_hand = {level["on_hand"] for level in client.get("/inventory").json["ingredients"].values()}
    assert on_hand == {7}
    monkeypatch.delenv("PIZZA_INITIAL_STOCK")
    assert KitchenSettings().initial_stock == 100


def test_restock_adds_units_and_answers_the_stock(client: FlaskClient, levels: Levels) -> None:
    resp = client.post("/inventory/restock", json={"items": {"mozzarella": 5, "basil": 1}})
    assert resp.status_code == 200
    assert resp.json["ingredients"]["mozzarella"] == {"on_hand": 15, "reserved": 0, "available": 15}
    assert levels()["basil"]["on_hand"] == 11
    assert levels()["dough"]["on_hand"] == 10


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ({"mozzarella": -1}, "items.mozzarella"),
        ({"mozzarella": 0}, "items.mozzarella"),
        ({"mozzarella": "ten"}, "items.mozzarella"),
        ({"mozzarella": "10"}, "items.mozzarella"),
        ({"mozzarella": True}, "items.mozzarella"),
        ({"mozzarella": 2.5}, "items.mozzarella"),
        ({"unobtainium": 3}, "items"),
        ({}, "items"),
        (None, "items"),
    ],
)
def test_bad_restocks_are_422_naming_the_field_and_change_nothing(
    client: FlaskClient, dapr: FakeDapr, levels: Levels, items: object, field: str
) -> None:
    resp = client.post("/inventory/restock", json={"items": items})
    assert resp.status_code == 422
    assert field in resp.json["error"]
    assert dapr.state == {}
    assert levels()["mozzarella"]["on_hand"] == 10


def test_unknown_ingredients_are_named(client: FlaskClient) -> None:
    resp = client.post("/inventory/restock", json={"items": {"unobtainium": 3}})
    assert "unobtainium" in resp.json["problems"][0]["problem"]


def test_bad_bodies_are_4xx_json(client: FlaskClient, dapr: FakeDapr) -> None:
    assert client.post("/inventory/restock", json={"items": {"basil": 1}, "extra": 1}).status_code == 422
    assert client.post("/inventory/restock", data="x", content_type="text/plain").status_code == 415
    assert client.post("/reserve", json={"order_id": "o-1", "pizza_type": "calzone"}).status_code == 422
    remake = {"order_id": "o-1", "pizza_type": "veggie", "attempt": -1}
    assert client.post("/reserve", json=remake).status_code == 422
    assert client.post("/release", json={"order_id": "bad id!"}).status_code == 422
    assert dapr.state == {}
