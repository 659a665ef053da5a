"""The inventory in the state store: one key, written only at the etag it was read at."""

import logging
import random
import threading
import time
from collections.abc import Callable
from typing import Final, TypeVar

from pizza_common.dapr_io import DaprGateway, DaprUnavailable, ETagMismatch
from pizza_common.names import INVENTORY_KEY
from pizza_kitchen.inventory import Outcome
from pizza_kitchen.stock import OrderHolds, Stock, new_stock

log = logging.getLogger(__name__)
T = TypeVar("T")
# One writer at a time in this process: the threads of one kitchen no longer race each other
# for the one inventory key, and the etag still guards against other kitchen processes.
_writer = threading.Lock()
SAVE_ATTEMPTS: Final = 10
BACKOFF_S: Final = 0.001


class InventoryBusy(DaprUnavailable):
    """Every write lost its race: retryable, so answered 503 like a sidecar fault."""


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
    dapr: DaprGateway, initial: int, change: Callable[[Stock], Outcome[T]], order_id: str | None = None
) -> T:
    """Apply `change` to the stored stock and save it at the etag read; on a lost race, read again."""
    with _writer:
        return _update(dapr, initial, change, order_id)


def _update(
    dapr: DaprGateway, initial: int, change: Callable[[Stock], Outcome[T]], order_id: str | None
) -> T:
    for attempt in range(SAVE_ATTEMPTS):
        stock, etag = load(dapr, initial, order_id)
        outcome = change(stock)
        if outcome.stock is None:
            return outcome.answer
        # Before the document forgets them: at no moment is a finished order in neither place.
        for finished_id, holds in outcome.stock.pruned.items():
            dapr.save_state(finished_key(finished_id), holds.model_dump(mode="json"))
        try:
            # No etag yet: create only if still absent, so two first writers cannot both win.
            dapr.save_state(INVENTORY_KEY, outcome.stock.model_dump(mode="json"), etag, create=etag is None)
            return outcome.answer
        except ETagMismatch:
            log.debug("inventory: concurrent write, try %d", attempt + 1)
            # Jittered, growing pause so that contending writers stop colliding in lockstep.
            time.sleep(random.uniform(0, min(0.02, BACKOFF_S * 2**attempt)))
    raise InventoryBusy(f"inventory: {SAVE_ATTEMPTS} concurrent writes in a row, try again")
