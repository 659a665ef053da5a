"""Payment records in the state store, each written only at the ETag it was read with."""

from collections.abc import Callable

from pizza_common.contract.payments import PaymentRecord
from pizza_common.service.settings import retention_s
from pizza_common.sidecar import guarded
from pizza_common.sidecar.dapr_io import DaprGateway
from pizza_storefront.ledger import Answer, Decided

Decide = Callable[[PaymentRecord | None], Decided]


def payment_key(order_id: str) -> str:
    """Return the state key of an order's payment record."""
    return f"payment_{order_id}"


def load(dapr: DaprGateway, order_id: str) -> tuple[PaymentRecord | None, str | None]:
    """Return an order's payment record and its ETag, or (None, None)."""
    value, etag = dapr.get_state(payment_key(order_id))
    return (PaymentRecord.model_validate(value) if value is not None else None), etag


def apply(dapr: DaprGateway, order_id: str, decide: Decide) -> Answer:
    """Decide on the stored record and write the result at its ETag; on a lost race, decide again."""

    def write(record: PaymentRecord, etag: str | None) -> None:
        # Gone a retention after its last charge or refund, which come before the order ends.
        value = record.model_dump(mode="json")
        dapr.save_state(payment_key(order_id), value, etag, create=etag is None, ttl_s=retention_s())

    return guarded.update(f"payment of order {order_id}", lambda: load(dapr, order_id), decide, write)
