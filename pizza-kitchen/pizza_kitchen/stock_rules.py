"""The rules of restocking, reserving, consuming and releasing ingredients: pure, no I/O."""

from pizza_common.contract.inventory import InventoryView, Reservation, ReservationStatus
from pizza_common.sidecar.guarded import Outcome
from pizza_kitchen.stock import Hold, Stock, add, prune, touch, view

REFUSED = frozenset({ReservationStatus.OUT_OF_STOCK, ReservationStatus.RELEASED})


def restock(stock: Stock, items: dict[str, int]) -> Outcome[InventoryView, Stock]:
    """Add units to the shelf."""
    new = stock.model_copy(deep=True)
    add(new.on_hand, items)
    return Outcome(view(new), new)


def reserve(stock: Stock, order_id: str, attempt: int, need: dict[str, int]) -> Outcome[Reservation, Stock]:
    """Set aside `need` once per (order, attempt); refuse if the order was released or units are short."""
    holds = stock.orders.get(order_id)
    if holds is not None and holds.released:
        return Outcome(_released(order_id, attempt))
    if holds is not None and attempt in holds.attempts:
        return Outcome(_answer(order_id, attempt, holds.attempts[attempt]))
    short = shortage(stock, order_id, attempt, need)
    if short is not None:
        return Outcome(short)
    new = stock.model_copy(deep=True)
    add(new.reserved, need)
    hold = Hold(status=ReservationStatus.RESERVED, items=need)
    touch(new, order_id).attempts[attempt] = hold
    return Outcome(_answer(order_id, attempt, hold), prune(new))


def consume(stock: Stock, order_id: str, attempt: int, need: dict[str, int]) -> Outcome[Reservation, Stock]:
    """Use up the attempt's reservation once, or take `need` straight from the shelf when there is none."""
    holds = stock.orders.get(order_id)
    if holds is not None and holds.released:
        return Outcome(_released(order_id, attempt))
    hold = holds.attempts.get(attempt) if holds is not None else None
    if hold is not None and hold.status == ReservationStatus.CONSUMED:
        return Outcome(_answer(order_id, attempt, hold))
    if hold is None:
        short = shortage(stock, order_id, attempt, need)
        if short is not None:
            return Outcome(short)
    new = stock.model_copy(deep=True)
    items = need if hold is None else hold.items
    if hold is not None:
        add(new.reserved, items, -1)
    add(new.on_hand, items, -1)
    used = Hold(status=ReservationStatus.CONSUMED, items=items)
    touch(new, order_id).attempts[attempt] = used
    return Outcome(_answer(order_id, attempt, used), prune(new))


def release(stock: Stock, order_id: str) -> Outcome[Reservation, Stock]:
    """Give back what the order's attempts still hold and tombstone it; consumed units stay used."""
    holds = stock.orders.get(order_id)
    if holds is not None and holds.released:
        return Outcome(Reservation(order_id=order_id, status=ReservationStatus.RELEASED))
    new = stock.model_copy(deep=True)
    holds = touch(new, order_id)
    given: dict[str, int] = {}
    for attempt, hold in holds.attempts.items():
        if hold.status == ReservationStatus.RESERVED:
            add(given, hold.items)
            holds.attempts[attempt] = Hold(status=ReservationStatus.RELEASED, items=hold.items)
    add(new.reserved, given, -1)
    holds.released = True
    return Outcome(Reservation(order_id=order_id, status=ReservationStatus.RELEASED, items=given), prune(new))


def shortage(stock: Stock, order_id: str, attempt: int, need: dict[str, int]) -> Reservation | None:
    """Return the out-of-stock answer naming every short ingredient, or None when all are there."""
    levels = view(stock).ingredients
    available = {name: levels[name].available if name in levels else 0 for name in need}
    missing = {name: units - available[name] for name, units in need.items() if units > available[name]}
    if not missing:
        return None
    error = "; ".join(f"not enough {n}: need {need[n]}, {max(available[n], 0)} available" for n in missing)
    return Reservation(
        order_id=order_id,
        attempt=attempt,
        status=ReservationStatus.OUT_OF_STOCK,
        missing=missing,
        error=error,
    )


def _answer(order_id: str, attempt: int, hold: Hold) -> Reservation:
    return Reservation(order_id=order_id, attempt=attempt, status=hold.status, items=hold.items)


def _released(order_id: str, attempt: int) -> Reservation:
    error = f"order {order_id} was released (cancelled or compensated)"
    return Reservation(order_id=order_id, attempt=attempt, status=ReservationStatus.RELEASED, error=error)
