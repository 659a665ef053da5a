"""Inputs and results of the pizza workflow and its activities."""

from pydantic import Field

from pizza_common.contract.inventory import CookRequest, ReservationStatus, ReserveRequest
from pizza_common.contract.models import Contract, Order
from pizza_common.contract.payments import PaymentStatus
from pizza_common.contract.statuses import OrderStatus, Stage


class Rules(Contract):
    """How long people get to answer, and an order's limits: settings the workflow takes as input,
    since it must not read them from its environment on replay."""

    validation_timeout_s: float = Field(default=3600.0, gt=0)
    """How long the workflow waits for the human quality check before rejecting."""
    approval_timeout_s: float = Field(default=200.0, gt=0)
    """How long a large order waits for a manager's approval before it is cancelled."""
    approval_threshold_cents: int = Field(default=10_000, ge=0)
    """Orders above this total (100 USD) need a manager's approval."""
    max_remakes: int = Field(default=2, ge=0, le=10)
    """How many times a pizza that fails its quality check is cooked again."""


class WorkflowInput(Rules):
    """The order, the rules it runs under, and the release it started under."""

    order: Order
    release: str = Field(default="1.0.0", pattern=r"^\d+\.\d+\.\d+$")
    """The suite's release when the order started: the workflow takes that release's path at each
    change since (docs/reliability.md); orders started under 1.0.0 have no such field."""


class StatusNote(Contract):
    """A status the workflow itself reports for an order (validation, payment, failure, ...)."""

    order: Order
    status: OrderStatus
    error: str | None = None
    attempt: int = 0


class Notes(Contract):
    """Statuses the workflow announces with a step (`Run.step(..., announce)`): its activity publishes
    them, in this order, before it acts; a step the workflow runs anyway tells them."""

    notes: list[StatusNote] = Field(default_factory=list)


class ReserveInput(ReserveRequest, Notes):
    """A reservation, and the statuses to publish before it."""


class CookInput(CookRequest, Notes):
    """A cooking, and the statuses to publish before it."""

    opens_check: bool = True
    """Open the quality check of what it cooked: release 1.0.0's way (its inputs lack the field);
    since 1.1.0 the workflow opens it as a step of its own."""


class DeliverInput(Order, Notes):
    """A delivery, and the statuses to publish before it."""


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
    ending: OrderStatus | None = None  # the outcome decided, while compensation and the ending run


class StepResult(Contract):
    """What a service call made by an activity returned: ok, or a business refusal."""

    ok: bool
    status: str
    error: str | None = None
    total_cents: int | None = None


class OrderOutcome(Contract):
    """The result of one pizza workflow: where the order ended and why."""

    order_id: str
    status: OrderStatus
    error: str | None = None
    total_cents: int | None = None
