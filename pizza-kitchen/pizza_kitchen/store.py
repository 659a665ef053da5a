"""The inventory in the state store: one key, written only at the etag it was read at."""

import threading
from collections.abc import Callable
from typing import Final, TypeVar

from pizza_common import guarded
from pizza_common.dapr_io import DaprGateway
from pizza_common.guarded import Outcome
from pizza_kitchen.stock import OrderHolds, Stock, new_stock

T = TypeVar("T")
# One writer at a time in this process: the threads of one kitchen no longer race each other
# for the one inventory key, and the etag still guards against other kitchen processes.
_writer = threading.Lock()
INVENTORY_KEY: Final = "inventory"  # the kitchen's one stock document, written at its ETag


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
    dapr: DaprGateway, initial: int, change: Callable[[Stock], Outcome[T, Stock]], order_id: str | None = None
) -> T:
    """Apply `change` to the stored stock and save it at the etag read; on a lost race, read again."""

    def write(stock: Stock, etag: str | None) -> None:
        # Before the document forgets them: at no moment is a finished order in neither place.
        for finished_id, holds in stock.pruned.items():
            dapr.save_state(finished_key(finished_id), holds.model_dump(mode="json"))
        dapr.save_state(INVENTORY_KEY, stock.model_dump(mode="json"), etag, create=etag is None)

    def decide(stock: Stock | None) -> Outcome[T, Stock]:
        assert stock is not None  # load() starts a kitchen never written with its initial stock
        return change(stock)

    return guarded.update("inventory", lambda: load(dapr, initial, order_id), decide, write, lock=_writer)
