"""Inputs and results of the pizza workflow and its activities."""

from pydantic import Field

from pizza_common.inventory import ReservationStatus
from pizza_common.models import Contract, Order
from pizza_common.payments import PaymentStatus
from pizza_common.statuses import OrderStatus, Stage


class WorkflowInput(Contract):
    """The order, and the settings the workflow must not read from its environment on replay."""

    order: Order
    validation_timeout_s: float
    approval_timeout_s: float = 200.0
    approval_threshold_cents: int = 10_000
    max_remakes: int = Field(default=2, ge=0, le=10)


class StatusNote(Contract):
    """A status the workflow itself reports for an order (validation, payment, failure, ...)."""

    order: Order
    status: OrderStatus
    error: str | None = None
    attempt: int = 0


class Ticket(Contract):
    """A human decision the workflow asks for: a quality check (per attempt) or a manager approval."""

    order: Order
    attempt: int = 0
    total_cents: int | None = None


class Decision(Contract):
    """How a human decision ended: approved, refused, or nobody answered in time."""

    order_id: str
    approved: bool
    timed_out: bool = False


class ChargeInput(Contract):
    order_id: str
    amount_cents: int
    payment_token: str


class Progress(Contract):
    """The workflow's custom status: where the order is, and what it holds of the customer's."""

    stage: Stage | OrderStatus  # an order that ended is at its outcome
    attempt: int = 0
    total_cents: int | None = None
    payment: PaymentStatus | None = None
    inventory: ReservationStatus | None = None
