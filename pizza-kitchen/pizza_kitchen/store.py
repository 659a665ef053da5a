"""The inventory in the state store: one key, written only at the etag it was read at.

A finished order leaves the inventory document for a key of its own (`kitchen_order_<id>`) in
three steps, so that no lost race can leave either key saying what never happened: the guarded
write that finishes it keeps it in the document; once that write has won, the order's own key is
written, never over a later state of the order; the next write of the document drops it.
"""

import logging
import threading
import weakref
from collections.abc import Callable
from typing import Final, TypeVar

from pizza_common.sidecar import guarded
from pizza_common.sidecar.dapr_io import DaprGateway, DaprUnavailable
from pizza_common.sidecar.guarded import Outcome
from pizza_kitchen.settings import KitchenSettings
from pizza_kitchen.stock import OrderHolds, Stock, new_stock

log = logging.getLogger(__name__)
T = TypeVar("T")
# One writer at a time in this process: the threads of one kitchen no longer race each other
# for the one inventory key, and the etag still guards against other kitchen processes.
_writer = threading.Lock()
INVENTORY_KEY: Final = "inventory"  # the kitchen's one stock document, written at its ETag
# Per state store (gateway): the finished orders of the last document this process wrote whose
# own key holds them, with the `seq` it holds them at; the next write may drop them from the
# document if they are still at that seq there.
_moved: "weakref.WeakKeyDictionary[DaprGateway, dict[str, int]]" = weakref.WeakKeyDictionary()


def finished_key(order_id: str) -> str:
    """Return the key of a finished order's holds once they left the inventory document."""
    return f"kitchen_order_{order_id}"


def load(dapr: DaprGateway, initial: int, order_id: str | None = None) -> tuple[Stock, str | None]:
    """Return the stock and its etag, with the order's finished holds back in it if they were moved out.

    A kitchen never written starts with `initial` of everything.
    """
    value, etag = dapr.get_state(INVENTORY_KEY)
    stock = new_stock(initial) if value is None else Stock.model_validate(value)
    if order_id is not None and order_id not in stock.orders:
        # Released or consumed long ago: a late reserve must still find its tombstone.
        finished, _ = dapr.get_state(finished_key(order_id))
        if finished is not None:
            stock.orders[order_id] = OrderHolds.model_validate(finished)
    return stock, etag


def update(
    dapr: DaprGateway,
    settings: KitchenSettings,
    change: Callable[[Stock], Outcome[T, Stock]],
    order_id: str | None = None,
) -> T:
    """Apply `change` to the stored stock and save it at the etag read; on a lost race, read again."""

    in_own_key = _moved.setdefault(dapr, {})

    def write(stock: Stock, etag: str | None) -> None:
        # Only the finished orders whose own key already holds this very state leave the document:
        # the others stay until their key is written, which happens only after this write wins.
        leaving = {oid for oid, holds in stock.pruned.items() if in_own_key.get(oid) == holds.seq}
        staying = {oid: holds for oid, holds in stock.pruned.items() if oid not in leaving}
        stock.orders.update(staying)
        dapr.save_state(INVENTORY_KEY, stock.model_dump(mode="json"), etag, create=etag is None)
        # What this process saw is true only of the document it read: learn it again from this one.
        in_own_key.clear()
        for oid, holds in staying.items():
            moved = _move_out(dapr, oid, holds, settings.finished_order_ttl_s)
            if moved is not None:
                in_own_key[oid] = moved

    def decide(stock: Stock | None) -> Outcome[T, Stock]:
        assert stock is not None  # load() starts a kitchen never written with its initial stock
        return change(stock)

    def read() -> tuple[Stock, str | None]:
        return load(dapr, settings.initial_stock, order_id)

    return guarded.update("inventory", read, decide, write, lock=_writer)


def _move_out(dapr: DaprGateway, order_id: str, holds: OrderHolds, ttl_s: int) -> int | None:
    """Write a finished order's holds to its own key unless a later state is there; return its seq there."""
    key = finished_key(order_id)

    def read() -> tuple[OrderHolds | None, str | None]:
        value, etag = dapr.get_state(key)
        return (None if value is None else OrderHolds.model_validate(value)), etag

    def decide(stored: OrderHolds | None) -> Outcome[int, OrderHolds]:
        # seq grows with every write that touches an order: the higher one is the later state.
        if stored is not None and stored.seq >= holds.seq:
            return Outcome(stored.seq)
        return Outcome(holds.seq, holds)

    def write(value: OrderHolds, etag: str | None) -> None:
        dapr.save_state(key, value.model_dump(mode="json"), etag, create=etag is None, ttl_s=ttl_s)

    try:
        return guarded.update(key, read, decide, write)
    except DaprUnavailable as exc:
        # The inventory write stands and the order stays in the document: a later write moves it.
        log.warning("order %s stays in the inventory document for now: %s", order_id, exc)
        return None
