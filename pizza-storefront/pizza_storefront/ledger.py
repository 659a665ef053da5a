"""The simulated payment provider's rules: pure functions from a payment record to an outcome."""

import hashlib
from dataclasses import dataclass
from typing import Any, Final

from pizza_common.contract.payments import (
    DECLINED_TOKEN,
    ChargeRequest,
    PaymentRecord,
    PaymentResult,
    PaymentStatus,
    RefundRequest,
)
from pizza_common.sidecar.guarded import Outcome

# The HTTP status of each charge answer, so that a replayed key answers as its first call did.
CHARGE_CODES: Final = {PaymentStatus.CHARGED: 200, PaymentStatus.DECLINED: 402}
REFUND_STATUSES: Final = frozenset({PaymentStatus.REFUNDED, PaymentStatus.NOTHING_TO_REFUND})


@dataclass(frozen=True)
class Answer:
    """The provider's answer and its HTTP status."""

    code: int
    result: PaymentResult


# The answer, with the record to write (None when nothing changes).
Decided = Outcome[Answer, PaymentRecord]


def charge_id(order_id: str, idempotency_key: str) -> str:
    """Return the id of a charge, derived so that a retried call gets the same one."""
    return "ch_" + hashlib.sha256(f"{order_id}:{idempotency_key}".encode()).hexdigest()[:16]


def _remember(record: PaymentRecord, key: str, result: PaymentResult, **changes: Any) -> PaymentRecord:
    keys = {**record.idempotency_keys, key: result}
    return record.model_copy(update={**changes, "idempotency_keys": keys})


def _refuse(record: PaymentRecord, message: str) -> Decided:
    # A refusal is not remembered: the record that caused it answers any retry the same way.
    result = PaymentResult(
        order_id=record.order_id,
        status=record.status,
        amount_cents=record.amount_cents,
        charge_id=record.charge_id,
        error=message,
    )
    return Outcome(Answer(409, result))


def charge(record: PaymentRecord | None, req: ChargeRequest) -> Decided:
    """Charge an order at most once: replay a known key, refuse after a refund or another charge."""
    key = req.idempotency_key
    if record is not None and key in record.idempotency_keys:
        seen = record.idempotency_keys[key]
        if seen.status in CHARGE_CODES and seen.amount_cents == req.amount_cents:
            return Outcome(Answer(CHARGE_CODES[seen.status], seen))
        return _refuse(record, f"idempotency key {key!r} was used for another request")
    if record is not None and record.status == PaymentStatus.REFUNDED:
        # Compensation ran first: the order is closed, a late charge must not take money.
        return _refuse(record, f"order {req.order_id} was refunded or cancelled: not charged")
    if record is not None and record.status == PaymentStatus.CHARGED:
        return _refuse(record, f"order {req.order_id} is already charged by {record.charge_id}")
    base = record or PaymentRecord(order_id=req.order_id, status=PaymentStatus.DECLINED)
    if req.payment_token == DECLINED_TOKEN:
        result = PaymentResult(
            order_id=req.order_id,
            status=PaymentStatus.DECLINED,
            amount_cents=req.amount_cents,
            error="card declined",
        )
        return Outcome(Answer(402, result), _remember(base, key, result, status=PaymentStatus.DECLINED))
    result = PaymentResult(
        order_id=req.order_id,
        status=PaymentStatus.CHARGED,
        amount_cents=req.amount_cents,
        charge_id=charge_id(req.order_id, key),
    )
    updated = _remember(
        base,
        key,
        result,
        status=PaymentStatus.CHARGED,
        amount_cents=req.amount_cents,
        charge_id=result.charge_id,
        charges=base.charges + 1,
    )
    return Outcome(Answer(200, result), updated)


def refund(record: PaymentRecord | None, req: RefundRequest) -> Decided:
    """Refund an order's charge at most once; with no charge, close the order to later charges."""
    key = req.idempotency_key
    if record is not None and key in record.idempotency_keys:
        seen = record.idempotency_keys[key]
        if seen.status in REFUND_STATUSES:
            return Outcome(Answer(200, seen))
        refused = _refuse(record, f"idempotency key {key!r} was used for another request")
        if record.status != PaymentStatus.DECLINED:
            return refused
        # Refused, yet nothing was taken: close the order all the same, so no later card is charged.
        return Outcome(refused.answer, record.model_copy(update={"status": PaymentStatus.REFUNDED}))
    if record is not None and record.status == PaymentStatus.CHARGED:
        result = PaymentResult(
            order_id=req.order_id,
            status=PaymentStatus.REFUNDED,
            amount_cents=record.amount_cents,
            charge_id=record.charge_id,
        )
        refunds = record.refunds + 1
        refunded = _remember(record, key, result, status=PaymentStatus.REFUNDED, refunds=refunds)
        return Outcome(Answer(200, result), refunded)
    if record is not None and record.status == PaymentStatus.REFUNDED:
        # Refunded or closed under another key already: answer the same, refund nothing more.
        status = PaymentStatus.REFUNDED if record.refunds else PaymentStatus.NOTHING_TO_REFUND
        amount = record.amount_cents if record.refunds else 0
        result = PaymentResult(
            order_id=req.order_id, status=status, amount_cents=amount, charge_id=record.charge_id
        )
        return Outcome(Answer(200, result))
    # Nothing was charged: leave a tombstone, so that a charge arriving late is refused.
    base = record or PaymentRecord(order_id=req.order_id, status=PaymentStatus.REFUNDED)
    result = PaymentResult(order_id=req.order_id, status=PaymentStatus.NOTHING_TO_REFUND)
    closed = _remember(base, key, result, status=PaymentStatus.REFUNDED, amount_cents=0)
    return Outcome(Answer(200, result), closed)
