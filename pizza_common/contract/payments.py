"""Contract of the storefront's simulated payment provider: charge, refund, and their record."""

from enum import StrEnum

from pydantic import Field

from pizza_common.contract.models import Contract, OrderId, PaymentToken, Text


class PaymentStatus(StrEnum):
    """Where an order's payment stands at the provider."""

    CHARGED = "charged"
    DECLINED = "payment_declined"
    REFUNDED = "refunded"
    NOTHING_TO_REFUND = "nothing_to_refund"


DECLINED_TOKEN = "tok_chargeDeclined"


class ChargeRequest(Contract):
    order_id: OrderId
    amount_cents: int = Field(ge=1, le=1_000_000)
    payment_token: PaymentToken
    idempotency_key: Text


class RefundRequest(Contract):
    order_id: OrderId
    idempotency_key: Text


class PaymentResult(Contract):
    """The provider's answer; HTTP 200 when charged or refunded, 402 when declined."""

    order_id: str
    status: PaymentStatus
    amount_cents: int = 0
    charge_id: str | None = None
    error: str | None = None


class PaymentRecord(Contract):
    """What the provider keeps per order (`payment_<order_id>`): effects counted, keys seen."""

    order_id: str
    status: PaymentStatus
    amount_cents: int = 0
    charge_id: str | None = None
    charges: int = 0
    refunds: int = 0
    idempotency_keys: dict[str, PaymentResult] = {}
