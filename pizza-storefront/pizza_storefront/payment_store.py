"""Payment records in the state store, each written only at the ETag it was read with."""

import logging
from collections.abc import Callable
from typing import Final

from pizza_common.dapr_io import DaprGateway, ETagMismatch
from pizza_common.names import payment_key
from pizza_common.payments import PaymentRecord
from pizza_storefront.ledger import Outcome

log = logging.getLogger(__name__)
SAVE_ATTEMPTS: Final = 5

Decide = Callable[[PaymentRecord | None], Outcome]


class PaymentBusy(Exception):
    """Every attempt to write a payment record lost its race to another writer."""


def load(dapr: DaprGateway, order_id: str) -> tuple[PaymentRecord | None, str | None]:
    """Return an order's payment record and its ETag, or (None, None)."""
    value, etag = dapr.get_state(payment_key(order_id))
    return (PaymentRecord.model_validate(value) if value is not None else None), etag


def apply(dapr: DaprGateway, order_id: str, decide: Decide) -> Outcome:
    """Decide on the stored record and write the result at its ETag; on a lost race, decide again."""
    for _ in range(SAVE_ATTEMPTS):
        record, etag = load(dapr, order_id)
        outcome = decide(record)
        if outcome.record is None:
            return outcome
        try:
            # create=True for a first record: two first writers must not both succeed.
            dapr.save_state(
                payment_key(order_id), outcome.record.model_dump(mode="json"), etag, create=record is None
            )
            return outcome
        except ETagMismatch:
            # Someone wrote in between (a refund racing a charge): decide again on what they wrote.
            log.info("payment of order %s: concurrent write, deciding again", order_id)
    raise PaymentBusy(f"payment of order {order_id}: {SAVE_ATTEMPTS} concurrent writes in a row, try again")
