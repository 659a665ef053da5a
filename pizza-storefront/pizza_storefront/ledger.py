"""The simulated payment provider's rules: pure functions from a payment record to an outcome."""

import hashlib
from dataclasses import dataclass
from typing import Any, Final

from pizza_common.payments import DECLINED_TOKEN, ChargeRequest, PaymentRecord, PaymentResult, RefundRequest

CHARGED: Final = "charged"
DECLINED: Final = "payment_declined"
REFUNDED: Final = "refunded"
NOTHING_TO_REFUND: Final = "nothing_to_refund"
# The HTTP status of each charge answer, so that a replayed key answers as its first call did.
CHARGE_CODES: Final = {CHARGED: 200, DECLINED: 402}
REFUND_STATUSES: Final = frozenset({REFUNDED, NOTHING_TO_REFUND})


@dataclass(frozen=True)
class Outcome:
    """An answer and its HTTP status, with the record to write (None when nothing changes)."""

    code: int
    result: PaymentResult
    record: PaymentRecord | None = None


def charge_id(order_id: str, idempotency_key: str) -> str:
    """Return the id of a charge, derived so that a retried call gets the same one."""
    return "ch_" + hashlib.sha256(f"{order_id}:{idempotency_key}".encode()).hexdigest()[:16]


def _remember(record: PaymentRecord, key: str, result: PaymentResult, **changes: Any) -> PaymentRecord:
    keys = {**record.idempotency_keys, key: result}
    return record.model_copy(update={**changes, "idempotency_keys": keys})


def _refuse(record: PaymentRecord, message: str) -> Outcome:
    # A refusal is not remembered: the record that caused it answers any retry the same way.
    result = PaymentResult(
        order_id=record.order_id,
        status=record.status,
        amount_cents=record.amount_cents,
        charge_id=record.charge_id,
        error=message,
    )
    return Outcome(409, result)


def charge(record: PaymentRecord | None, req: ChargeRequest) -> Outcome:
    """Charge an order at most once: replay a known key, refuse after a refund or another charge."""
    key = req.idempotency_key
    if record is not None and key in record.idempotency_keys:
        seen = record.idempotency_keys[key]
        if seen.status in CHARGE_CODES and seen.amount_cents == req.amount_cents:
            return Outcome(CHARGE_CODES[seen.status], seen)
        return _refuse(record, f"idempotency key {key!r} was used for another request")
    if record is not None and record.status == REFUNDED:
        # Compensation ran first: the order is closed, a late charge must not take money.
        return _refuse(record, f"order {req.order_id} was refunded or cancelled: not charged")
    if record is not None and record.status == CHARGED:
        return _refuse(record, f"order {req.order_id} is already charged by {record.charge_id}")
    base = record or PaymentRecord(order_id=req.order_id, status=DECLINED)
    if req.payment_token == DECLINED_TOKEN:
        result = PaymentResult(
            order_id=req.order_id, status=DECLINED, amount_cents=req.amount_cents, error="card declined"
        )
        return Outcome(402, result, _remember(base, key, result, status=DECLINED))
    result = PaymentResult(
        order_id=req.order_id,
        status=CHARGED,
        amount_cents=req.amount_cents,
        charge_id=charge_id(req.order_id, key),
    )
    updated = _remember(
        base,
        key,
        result,
        status=CHARGED,
        amount_cents=req.amount_cents,
        charge_id=result.charge_id,
        charges=base.charges + 1,
    )
    return Outcome(200, result, updated)


def refund(record: PaymentRecord | None, req: RefundRequest) -> Outcome:
    """Refund an order's charge at most once; with no charge, close the order to later charges."""
    key = req.idempotency_key
    if record is not None and key in record.idempotency_keys:
        seen = record.idempotency_keys[key]
        if seen.status in REFUND_STATUSES:
            return Outcome(200, seen)
        return _refuse(record, f"idempotency key {key!r} was used for another request")
    if record is not None and record.status == CHARGED:
        result = PaymentResult(
            order_id=req.order_id,
            status=REFUNDED,
            amount_cents=record.amount_cents,
            charge_id=record.charge_id,
        )
        refunds = record.refunds + 1
        return Outcome(200, result, _remember(record, key, result, status=REFUNDED, refunds=refunds))
    if record is not None and record.status == REFUNDED:
        # Refunded or closed under another key already: answer the same, refund nothing more.
        status = REFUNDED if record.refunds else NOTHING_TO_REFUND
        amount = record.amount_cents if record.refunds else 0
        result = PaymentResult(
            order_id=req.order_id, status=status, amount_cents=amount, charge_id=record.charge_id
        )
        return Outcome(200, result)
    # Nothing was charged: leave a tombstone, so that a charge arriving late is refused.
    base = record or PaymentRecord(order_id=req.order_id, status=REFUNDED)
    result = PaymentResult(order_id=req.order_id, status=NOTHING_TO_REFUND)
    return Outcome(200, result, _remember(base, key, result, status=REFUNDED, amount_cents=0))
