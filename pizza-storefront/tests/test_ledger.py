"""The payment provider's rules themselves: each answer's code and body, and the record each one leaves."""

import hashlib

from pizza_common.contract.payments import (
    DECLINED_TOKEN,
    ChargeRequest,
    PaymentRecord,
    PaymentStatus,
    RefundRequest,
)
from pizza_storefront import ledger

REQ = {"order_id": "o-1", "amount_cents": 1800, "payment_token": "tok_visa", "idempotency_key": "k1"}


def pay(record: PaymentRecord | None, key: str = "k1", token: str = "tok_visa") -> ledger.Decided:
    req = ChargeRequest(order_id="o-1", amount_cents=1800, payment_token=token, idempotency_key=key)
    return ledger.charge(record, req)


def refund(record: PaymentRecord | None, key: str = "r1") -> ledger.Decided:
    return ledger.refund(record, RefundRequest(order_id="o-1", idempotency_key=key))


def written(decided: ledger.Decided) -> PaymentRecord:
    assert decided.write is not None
    return decided.write


def test_a_charge_id_is_the_hash_of_the_order_and_its_key() -> None:
    digest = hashlib.sha256(b"o-1:k1").hexdigest()
    assert ledger.charge_id("o-1", "k1") == f"ch_{digest[:16]}"
    charged = pay(None)
    assert (charged.answer.code, charged.answer.result.charge_id) == (200, f"ch_{digest[:16]}")


def test_a_refusal_names_why_and_echoes_what_the_order_holds() -> None:
    charged = written(pay(None))
    second = pay(charged, key="k2")
    assert (second.answer.code, second.write) == (409, None)
    assert (second.answer.result.amount_cents, second.answer.result.charge_id) == (1800, charged.charge_id)
    reused = [refund(charged, key="k1"), ledger.charge(charged, ChargeRequest(**{**REQ, "amount_cents": 1}))]
    for answer in reused:
        assert (answer.answer.code, answer.write) == (409, None)
        assert answer.answer.result.error == "idempotency key 'k1' was used for another request"


def test_a_refund_answers_200_remembers_its_key_and_replays() -> None:
    refunded = refund(written(pay(None)))
    assert (refunded.answer.code, refunded.answer.result.amount_cents) == (200, 1800)
    record = written(refunded)
    assert record.idempotency_keys["r1"] == refunded.answer.result
    again = refund(record)
    assert (again.answer.code, again.answer.result, again.write) == (200, refunded.answer.result, None)
    other = refund(record, key="r2")  # refunded under another key: the same refund, nothing more
    assert (other.answer.code, other.write) == (200, None)
    assert other.answer.result.model_dump() == refunded.answer.result.model_dump()


def test_a_refund_with_nothing_charged_closes_the_order_at_zero() -> None:
    closed = refund(None)
    assert (closed.answer.code, closed.answer.result.status) == (200, PaymentStatus.NOTHING_TO_REFUND)
    record = written(closed)
    assert (record.status, record.amount_cents, list(record.idempotency_keys)) == (
        PaymentStatus.REFUNDED,
        0,
        ["r1"],
    )
    other = refund(record, key="r2")
    assert (other.answer.code, other.answer.result.status, other.answer.result.amount_cents) == (
        200,
        PaymentStatus.NOTHING_TO_REFUND,
        0,
    )


def test_a_refund_after_a_declined_card_closes_the_order_to_later_cards() -> None:
    declined = written(pay(None, token=DECLINED_TOKEN))
    assert declined.status == PaymentStatus.DECLINED
    closed = written(refund(declined))
    assert closed.status == PaymentStatus.REFUNDED
    late = pay(closed, key="k2")
    assert (late.answer.code, late.answer.result.status, late.write) == (409, PaymentStatus.REFUNDED, None)
