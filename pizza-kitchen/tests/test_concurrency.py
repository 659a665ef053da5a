"""Optimistic concurrency: lost races are retried, endless ones are 503, and the shelf never oversells."""

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient

from pizza_common.contract.inventory import Reservation, ReservationStatus
from pizza_common.contract.menu import ingredients_for
from pizza_common.sidecar import guarded
from pizza_common.sidecar.dapr_io import ETagMismatch
from pizza_kitchen import create_app, stock_rules, store
from pizza_kitchen.settings import KitchenSettings
from pizza_kitchen.stock import Stock
from tests.support.dapr_double import FakeDapr

RESERVE = {"order_id": "o-1", "pizza_type": "margherita"}


class ThreadSafeDapr(FakeDapr):
    """FakeDapr with each call atomic, but not the caller's read-modify-write: races still happen."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.lost_races = 0
        self.lowest_available = 10**9

    def get_state(self, key: str) -> tuple[Any | None, str | None]:
        with self._lock:
            found = super().get_state(key)
        time.sleep(0.001)  # let the other requests read the same etag before anyone writes
        return found

    def save_state(
        self, key: str, value: Any, etag: str | None = None, *, create: bool = False, ttl_s: int | None = None
    ) -> None:
        with self._lock:
            try:
                super().save_state(key, value, etag, create=create, ttl_s=ttl_s)
            except ETagMismatch:
                self.lost_races += 1
                raise
            if key != store.INVENTORY_KEY:
                return
            doc = Stock.model_validate(value)
            lowest = min(doc.on_hand[name] - doc.reserved[name] for name in doc.on_hand)
            self.lowest_available = min(self.lowest_available, lowest)


def test_lost_races_are_retried(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.conflicts_before_save = 3
    resp = client.post("/reserve", json=RESERVE)
    assert resp.status_code == 200
    assert resp.json["status"] == "reserved"
    assert dapr.conflicts_before_save == 0
    assert client.get("/inventory").json["ingredients"]["basil"]["reserved"] == 1


def test_endless_races_are_503_and_change_nothing(
    client: FlaskClient, dapr: FakeDapr, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guarded.time, "sleep", lambda _: None)
    dapr.conflicts_before_save = 1000
    for method, body in (("/reserve", RESERVE), ("/release", {"order_id": "o-1"})):
        resp = client.post(method, json=body)
        assert resp.status_code == 503
        assert "concurrent" in resp.json["detail"]
    assert dapr.conflicts_before_save == 1000 - 2 * guarded.ATTEMPTS
    assert dapr.state == {}


@pytest.mark.parametrize("processes", ["one kitchen", "many kitchens"])
def test_concurrent_reserves_for_the_last_units_never_oversell(
    processes: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if processes == "many kitchens":
        # Writers in other processes do not share this one's lock: only the etag stands between them.
        monkeypatch.setattr(store, "_writer", contextlib.nullcontext())
    pizzas, threads = 5, 20
    dapr = ThreadSafeDapr()
    settings = KitchenSettings(initial_stock=pizzas)
    app = create_app({"TESTING": True, "DAPR": dapr, "KITCHEN_SETTINGS": settings})
    start = threading.Barrier(threads)
    answers: list[tuple[int, str]] = []

    def order(n: int) -> None:
        client = app.test_client()
        start.wait()
        resp = client.post("/reserve", json={"order_id": f"o-{n}", "pizza_type": "margherita"})
        answers.append((resp.status_code, resp.json["status"]))

    workers = [threading.Thread(target=order, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert Counter(answers) == {(200, "reserved"): pizzas, (409, "out_of_stock"): threads - pizzas}
    basil = app.test_client().get("/inventory").json["ingredients"]["basil"]
    assert basil == {"on_hand": pizzas, "reserved": pizzas, "available": 0}
    assert dapr.lowest_available >= 0
    if processes == "many kitchens":
        assert dapr.lost_races > 0  # the test really raced: the etag, not luck, kept the count
    else:
        assert dapr.lost_races == 0  # one kitchen's threads take turns: no retries, no 503s


class OtherKitchenFirst(FakeDapr):
    """A state store where another kitchen's whole change lands just before this kitchen's first write."""

    def __init__(self) -> None:
        super().__init__()
        self.meanwhile: Callable[[], object] | None = None

    def save_state(
        self, key: str, value: Any, etag: str | None = None, *, create: bool = False, ttl_s: int | None = None
    ) -> None:
        other, self.meanwhile = self.meanwhile, None
        if other is not None:
            other()
        super().save_state(key, value, etag, create=create, ttl_s=ttl_s)


NEED = ingredients_for("margherita", 1)


def totals(dapr: FakeDapr, settings: KitchenSettings) -> dict[str, tuple[int, int]]:
    """Return (on hand, reserved) per ingredient of the stored inventory."""
    stock, _ = store.load(dapr, settings.initial_stock)
    return {name: (stock.on_hand[name], stock.reserved[name]) for name in NEED}


@pytest.mark.parametrize("winner", ["release", "cook"])
def test_a_cook_and_a_release_racing_in_two_kitchens_agree_on_one_outcome(
    winner: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One kitchen's cook and another's release of the same reserved order: one wins, stock adds up."""
    monkeypatch.setattr(store, "_writer", contextlib.nullcontext())  # two processes share no lock
    dapr, settings = OtherKitchenFirst(), KitchenSettings(initial_stock=10)
    store.update(dapr, settings, lambda s: stock_rules.reserve(s, "o-1", 0, NEED), "o-1")
    answers: dict[str, Reservation] = {}

    def cook() -> None:
        cooked = store.update(dapr, settings, lambda s: stock_rules.consume(s, "o-1", 0, NEED), "o-1")
        answers["cook"] = cooked

    def release() -> None:
        answers["release"] = store.update(dapr, settings, lambda s: stock_rules.release(s, "o-1"), "o-1")

    # The loser decides first, then the winner's change lands before the loser's first write.
    first, second = (cook, release) if winner == "release" else (release, cook)
    dapr.meanwhile = second
    first()

    late = store.update(dapr, settings, lambda s: stock_rules.reserve(s, "o-1", 1, NEED), "o-1")
    assert late.status == ReservationStatus.RELEASED  # the tombstone holds either way
    if winner == "release":
        assert answers["release"].items == NEED
        assert answers["cook"].status == ReservationStatus.RELEASED  # refused: nothing was cooked
        assert totals(dapr, settings) == dict.fromkeys(NEED, (10, 0))  # all back on the shelf
    else:
        assert answers["cook"].status == ReservationStatus.CONSUMED
        assert answers["release"].items == {}  # nothing left to give back
        assert totals(dapr, settings) == {name: (10 - units, 0) for name, units in NEED.items()}


def test_a_finished_order_leaves_the_document_for_its_own_key_with_a_lifetime(dapr: FakeDapr) -> None:
    settings = KitchenSettings(initial_stock=10, finished_order_ttl_s=3600)
    store.update(dapr, settings, lambda s: stock_rules.release(s, "o-1"), "o-1")
    stock, _ = store.load(dapr, settings.initial_stock)
    assert "o-1" in stock.orders  # kept until its own key is known to hold it
    assert dapr.ttls[store.finished_key("o-1")] == 3600
    store.update(dapr, settings, lambda s: stock_rules.reserve(s, "o-2", 0, NEED), "o-2")
    stock, _ = store.load(dapr, settings.initial_stock)
    assert list(stock.orders) == ["o-2"]  # the next write dropped it
    late = store.update(dapr, settings, lambda s: stock_rules.reserve(s, "o-1", 0, NEED), "o-1")
    assert late.status == ReservationStatus.RELEASED  # its own key still refuses a late reserve
