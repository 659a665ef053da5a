"""Inputs and results of the pizza workflow and its activities."""

from pizza_common.models import Contract, Order


class WorkflowInput(Contract):
    """The order, and the settings the workflow must not read from its environment on replay."""

    order: Order
    validation_timeout_s: float


class StatusNote(Contract):
    """A status the workflow itself reports for an order (validation, failure, cancel)."""

    order: Order
    status: str
    error: str | None = None


class ValidationOutcome(Contract):
    order_id: str
    approved: bool
    timed_out: bool = False
