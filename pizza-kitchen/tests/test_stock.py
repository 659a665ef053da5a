"""The stock document: it survives JSON and cannot grow without bound."""

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from pizza_kitchen import stock, stock_rules
from pizza_kitchen.store import INVENTORY_KEY
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order

Levels = Callable[[], dict[str, dict[str, Any]]]
NEED = {"dough": 1, "basil": 1}


def test_the_document_round_trips_through_json() -> None:
    held = stock_rules.reserve(stock.new_stock(3), "o-1", 2, NEED).write
    assert held is not None
    assert stock.Stock.model_validate_json(held.model_dump_json()) == held


def test_prune_keeps_what_is_held_and_the_most_recent_finished_orders(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(stock, "KEEP_FINISHED", 10)
    doc = stock.new_stock(10)
    for order_id in ("held-old", "a", "b", "c", "held-new"):
        doc = stock_rules.reserve(doc, order_id, 0, NEED).write or doc
    for order_id in ("a", "b", "c"):
        doc = stock_rules.release(doc, order_id).write or doc
    kept = set(stock.prune(doc.model_copy(deep=True), keep=2).orders)
    assert kept == {"held-old", "held-new", "b", "c"}
    assert set(stock.prune(doc.model_copy(deep=True), keep=0).orders) == {"held-old", "held-new"}


def test_by_default_the_document_keeps_only_the_orders_that_hold_units() -> None:
    doc = stock.new_stock(10)
    for order_id in ("held", "done", "gone"):
        doc = stock_rules.reserve(doc, order_id, 0, NEED).write or doc
    doc = stock_rules.consume(doc, "done", 0, NEED).write or doc
    released = stock_rules.release(doc, "gone").write
    assert released is not None
    assert set(released.orders) == {"held"}
    assert "gone" in released.pruned  # to its own key, with the write that released it


def test_the_stored_document_stays_bounded(
    client: FlaskClient, dapr: FakeDapr, levels: Levels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stock, "KEEP_FINISHED", 3)
    for n in range(8):
        client.post("/release", json={"order_id": f"gone-{n}"})
    client.post("/reserve", json={"order_id": "held", "pizza_type": "veggie"})
    stored = stock.Stock.model_validate(dapr.get_state(INVENTORY_KEY)[0])
    assert set(stored.orders) == {"held", "gone-5", "gone-6", "gone-7"}
    assert levels()["olives"]["reserved"] == 1


def test_a_released_order_stays_refused_after_its_record_left_the_document(
    client: FlaskClient, dapr: FakeDapr, levels: Levels, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pruning used to forget the tombstone: a late reserve then held stock for good."""
    monkeypatch.setattr(stock, "KEEP_FINISHED", 2)
    client.post("/release", json={"order_id": "cancelled-early"})
    for n in range(5):  # newer finished orders push it out of the document
        client.post("/release", json={"order_id": f"newer-{n}"})
    stored = stock.Stock.model_validate(dapr.get_state(INVENTORY_KEY)[0])
    assert "cancelled-early" not in stored.orders
    late = client.post("/reserve", json={"order_id": "cancelled-early", "pizza_type": "veggie"})
    assert late.status_code == 409
    assert late.json["status"] == "released"
    assert levels()["olives"]["reserved"] == 0


def test_a_late_duplicate_reserve_of_a_cooked_order_takes_nothing_again(
    client: FlaskClient, dapr: FakeDapr, levels: Levels, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stock, "KEEP_FINISHED", 1)
    order = {"order_id": "cooked-early", "pizza_type": "veggie"}
    assert client.post("/reserve", json=order).status_code == 200
    assert client.post("/cook", json=sample_order("cooked-early", pizza_type="veggie")).status_code == 200
    before = levels()["olives"]
    for n in range(3):
        client.post("/release", json={"order_id": f"newer-{n}"})
    again = client.post("/reserve", json=order)
    assert again.json["status"] == "consumed"
    assert levels()["olives"] == before
