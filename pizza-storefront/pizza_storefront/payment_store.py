"""Payment records in the state store, each written only at the ETag it was read with."""

from collections.abc import Callable

from pizza_common import guarded
from pizza_common.dapr_io import DaprGateway
from pizza_common.payments import PaymentRecord
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
        dapr.save_state(payment_key(order_id), record.model_dump(mode="json"), etag, create=etag is None)

    return guarded.update(f"payment of order {order_id}", lambda: load(dapr, order_id), decide, write)
