"""The inventory document kept in one state key: units on hand, units reserved, holds per order."""

from pydantic import BaseModel, Field

from pizza_common.contract.inventory import InventoryView, ReservationStatus, StockLevel
from pizza_common.contract.menu import INGREDIENTS

# Every write copies and serialises the whole document, so it keeps only the orders that hold
# units: a finished order's record moves to a key of its own (store.finished_key) once the write
# that finishes it has won, where a late reserve or consume still finds it (docs/benchmark.md).
KEEP_FINISHED = 0


class Hold(BaseModel):
    """The units one attempt (remake) of an order set aside, and what became of them."""

    status: ReservationStatus  # never out_of_stock: a refused attempt holds nothing
    items: dict[str, int]


class OrderHolds(BaseModel):
    attempts: dict[int, Hold] = {}
    released: bool = False  # a tombstone: a reserve arriving after compensation must not take stock
    seq: int = 0  # when the order was last touched, to prune the oldest first


class Stock(BaseModel):
    """The whole inventory. `reserved` units are part of `on_hand` until consumed."""

    on_hand: dict[str, int]
    reserved: dict[str, int]
    orders: dict[str, OrderHolds] = {}
    seq: int = 0
    pruned: dict[str, OrderHolds] = Field(default_factory=dict, exclude=True)
    """Finished orders this change would move out of the document: the store moves each to its own key."""


def new_stock(initial: int) -> Stock:
    """Return the stock of a kitchen never written: `initial` units of every ingredient."""
    return Stock(on_hand=dict.fromkeys(INGREDIENTS, initial), reserved=dict.fromkeys(INGREDIENTS, 0))


def view(stock: Stock) -> InventoryView:
    """Return the stock level of every ingredient of the menu."""
    levels = {}
    for name in INGREDIENTS:
        # An ingredient added to the menu after the doc was written: nobody counted any of it yet.
        on_hand, reserved = stock.on_hand.get(name, 0), stock.reserved.get(name, 0)
        levels[name] = StockLevel(on_hand=on_hand, reserved=reserved, available=on_hand - reserved)
    return InventoryView(ingredients=levels)


def touch(stock: Stock, order_id: str) -> OrderHolds:
    """Return the holds of an order, created if new, marked as the most recently touched."""
    stock.seq += 1
    holds = stock.orders.setdefault(order_id, OrderHolds())
    holds.seq = stock.seq
    return holds


def prune(stock: Stock, keep: int | None = None) -> Stock:
    """Move all but the `keep` (KEEP_FINISHED) most recent orders that hold nothing to `pruned`, in place."""
    keep = KEEP_FINISHED if keep is None else keep
    finished = [
        order_id
        for order_id, holds in stock.orders.items()
        if all(hold.status != ReservationStatus.RESERVED for hold in holds.attempts.values())
    ]
    finished.sort(key=lambda order_id: stock.orders[order_id].seq, reverse=True)
    for order_id in finished[keep:]:
        stock.pruned[order_id] = stock.orders.pop(order_id)
    return stock


def add(counts: dict[str, int], delta: dict[str, int], sign: int = 1) -> None:
    """Add (or with sign=-1 subtract) units per ingredient, in place."""
    for name, units in delta.items():
        counts[name] = counts.get(name, 0) + sign * units
