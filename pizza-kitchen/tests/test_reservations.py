"""Reserve and release: once per order attempt, never more than the shelf holds, nothing after release."""

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from tests.support.dapr_double import FakeDapr

Levels = Callable[[], dict[str, dict[str, Any]]]
PEPPERONI = ("dough", "mozzarella", "pepperoni", "tomato_sauce")


def reserve(client: FlaskClient, order_id: str = "o-1", **fields: Any) -> Any:
    return client.post("/reserve", json={"order_id": order_id, "pizza_type": "pepperoni", **fields})


def test_reserve_sets_the_units_aside(client: FlaskClient, levels: Levels) -> None:
    resp = reserve(client, quantity=2)
    assert resp.status_code == 200
    assert resp.json == {
        "order_id": "o-1",
        "attempt": 0,
        "status": "reserved",
        "items": dict.fromkeys(PEPPERONI, 2),
        "missing": {},
    }
    assert levels()["mozzarella"] == {"on_hand": 10, "reserved": 2, "available": 8}
    assert levels()["basil"] == {"on_hand": 10, "reserved": 0, "available": 10}


def test_reserving_the_same_attempt_again_reserves_once(client: FlaskClient, levels: Levels) -> None:
    first, again = reserve(client, quantity=2), reserve(client, quantity=2)
    assert again.status_code == 200
    assert again.json == first.json
    assert levels()["mozzarella"]["reserved"] == 2


def test_a_remake_reserves_again(client: FlaskClient, levels: Levels) -> None:
    reserve(client)
    second = reserve(client, attempt=1)
    assert second.status_code == 200
    assert second.json["attempt"] == 1
    assert levels()["mozzarella"]["reserved"] == 2


def test_out_of_stock_is_409_naming_what_is_short_and_changes_nothing(
    client: FlaskClient, dapr: FakeDapr, levels: Levels
) -> None:
    reserve(client, "o-1", quantity=9)
    client.post("/inventory/restock", json={"items": {"dough": 5, "tomato_sauce": 5}})
    before = dict(dapr.state)
    resp = reserve(client, "o-2", quantity=3)
    assert resp.status_code == 409
    assert resp.json["status"] == "out_of_stock"
    assert resp.json["missing"] == {"mozzarella": 2, "pepperoni": 2}
    assert resp.json["items"] == {}
    assert "not enough mozzarella: need 3, 1 available" in resp.json["error"]
    assert "not enough pepperoni: need 3, 1 available" in resp.json["error"]
    assert "dough" not in resp.json["error"]
    assert dapr.state == before
    # The refusal holds nothing: a reserve that fits still goes through.
    assert reserve(client, "o-2", quantity=1).status_code == 200


def test_release_gives_back_only_what_is_still_reserved(client: FlaskClient, levels: Levels) -> None:
    reserve(client, quantity=2)
    cook = {
        "order_id": "o-1",
        "pizza_type": "pepperoni",
        "size": "small",
        "quantity": 2,
        "customer": {"name": "Ada", "address": "12 Analytical Way", "phone": "+44 20 7946 0000"},
    }
    assert client.post("/cook", json=cook).status_code == 200
    reserve(client, quantity=3, attempt=1)
    resp = client.post("/release", json={"order_id": "o-1"})
    assert resp.status_code == 200
    assert resp.json["status"] == "released"
    assert resp.json["items"] == dict.fromkeys(PEPPERONI, 3)
    assert levels()["mozzarella"] == {"on_hand": 8, "reserved": 0, "available": 8}


def test_release_is_idempotent_and_refuses_later_reserves(client: FlaskClient, levels: Levels) -> None:
    reserve(client)
    assert client.post("/release", json={"order_id": "o-1"}).json["items"] == dict.fromkeys(PEPPERONI, 1)
    again = client.post("/release", json={"order_id": "o-1"})
    assert again.status_code == 200
    assert again.json["status"] == "released"
    assert again.json["items"] == {}
    late = reserve(client, attempt=1)
    assert late.status_code == 409
    assert late.json["status"] == "released"
    assert "o-1" in late.json["error"]
    assert levels()["mozzarella"] == {"on_hand": 10, "reserved": 0, "available": 10}


def test_releasing_an_unknown_order_leaves_a_tombstone(client: FlaskClient, levels: Levels) -> None:
    resp = client.post("/release", json={"order_id": "never-seen"})
    assert resp.status_code == 200
    assert resp.json["status"] == "released"
    assert resp.json["items"] == {}
    # A reserve that arrives after the compensation must not take stock that nobody will give back.
    assert reserve(client, "never-seen").status_code == 409
    assert levels()["mozzarella"]["reserved"] == 0
