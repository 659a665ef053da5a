"""Orders in the state store, written with optimistic concurrency so no update is lost."""

from pizza_common.contract.models import Order, StatusUpdate, utcnow
from pizza_common.contract.statuses import OrderStatus
from pizza_common.service.settings import retention_s
from pizza_common.sidecar import guarded
from pizza_common.sidecar.dapr_io import DaprGateway, ETagMismatch
from pizza_common.sidecar.guarded import Outcome
from pizza_common.stages import event_id
from pizza_order.history import merge
from pizza_order.locks import KeyLocks
from pizza_order.records import HistoryEntry, OrderRecord

# The stages of an order arrive in bursts, delivered concurrently: merged one at a time in this
# process, they no longer lose their etag races to each other (the etag still guards against
# other processes); docs/benchmark.md has what it saved.
_merging = KeyLocks()


def order_key(order_id: str) -> str:
    """Return the state key of an order."""
    return f"order_{order_id}"


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
    first = HistoryEntry(
        status=OrderStatus.RECEIVED,
        timestamp=utcnow(),
        event_id=event_id(order.order_id, OrderStatus.RECEIVED),
    )
    record = OrderRecord(**order.model_dump(exclude={"status"}), status=OrderStatus.RECEIVED, history=[first])
    try:
        dapr.save_state(
            order_key(order.order_id), record.model_dump(mode="json"), create=True, ttl_s=retention_s()
        )
    except ETagMismatch:
        existing, _ = load(dapr, order.order_id)
        raise OrderExists(existing or record) from None
    return record


def apply_update(dapr: DaprGateway, update: StatusUpdate) -> bool:
    """Merge a status update; return False if it was a duplicate. Retries lost races."""

    def decide(record: OrderRecord | None) -> Outcome[bool, OrderRecord]:
        merged = merge(record, update)
        return Outcome(False) if merged is None else Outcome(True, merged)

    def write(record: OrderRecord, etag: str | None) -> None:
        # Each status renews its lifetime: the record goes a retention after the order's last status.
        value = record.model_dump(mode="json")
        dapr.save_state(order_key(update.order_id), value, etag, create=etag is None, ttl_s=retention_s())

    what = f"order {update.order_id}"
    return guarded.update(
        what, lambda: load(dapr, update.order_id), decide, write, lock=_merging(update.order_id)
    )
