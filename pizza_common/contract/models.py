"""Typed contract of the suite: orders, status updates and workflow inputs and results."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from pizza_common.contract.menu import PizzaType, Size
from pizza_common.contract.statuses import OrderStatus

OrderId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# Why something failed: long enough for a chained cause, short enough to keep events small.
ErrorText = Annotated[str, StringConstraints(max_length=2000)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\+?[0-9 ()-]{3,32}$")]
# Simulated payment provider tokens, as in Stripe's tests: tok_visa pays, tok_chargeDeclined is declined.
PaymentToken = Annotated[str, StringConstraints(pattern=r"^tok_[A-Za-z0-9_]{1,40}$")]


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


class Contract(BaseModel):
    """Base of every payload: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class Customer(Contract):
    name: Text
    address: Text
    phone: Phone


class Order(Contract):
    order_id: OrderId
    pizza_type: PizzaType
    size: Size
    customer: Customer
    quantity: StrictInt = Field(default=1, ge=1, le=20)
    payment_token: PaymentToken = "tok_visa"
    status: OrderStatus | None = None
    error: ErrorText | None = None


class PricedOrder(Order):
    """An order as the storefront confirms it, with the total the shop computed."""

    total_cents: int


class StatusUpdate(Order):
    """An order at one status, as published on the orders topic, with a word for the customer."""

    status: OrderStatus
    timestamp: datetime = Field(default_factory=utcnow)
    event_id: Text
    message: str | None = None
    trace_id: str | None = None
    """The trace the status was reported in, when traced: the order's trace (docs/running.md#traces)."""


class OrderRef(Contract):
    order_id: OrderId


class HumanDecision(OrderRef):
    """A person's answer to a check the workflow waits on: the quality check or a manager's approval."""

    approved: StrictBool


RuntimeStatus = Literal["RUNNING", "COMPLETED", "FAILED", "TERMINATED", "PENDING", "SUSPENDED"]
# An opaque cursor from a previous page: base64url of the runtime's token and a count to skip.
Cursor = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,400}={0,2}$")]


class StatusQuery(Contract):
    """What /get-status adds on request: the workflow's steps from the engine's history."""

    history: bool = False


class OrdersQuery(Contract):
    """One page of the orders list: at most `limit` orders from `cursor` on, at any of `status`."""

    status: list[RuntimeStatus] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Cursor | None = None
