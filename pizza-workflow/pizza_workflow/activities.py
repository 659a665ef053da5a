"""Activities: each calls one service through Dapr, or records one fact. Safe to run twice."""

import logging

from dapr.ext.workflow import WorkflowActivityContext

from pizza_common.dapr_io import DaprGateway, ETagMismatch
from pizza_common.models import Order, StepResult, ValidationRecord
from pizza_common.names import DELIVERY_APP, KITCHEN_APP, STOREFRONT_APP, validation_key
from pizza_common.stages import publish_status
from pizza_common.statuses import APPROVED, PENDING_VALIDATION, REJECTED
from pizza_workflow.types import StatusNote, ValidationOutcome

log = logging.getLogger(__name__)
_dapr: DaprGateway | None = None


def use_gateway(dapr: DaprGateway) -> None:
    """Give the activities the gateway they call Dapr through."""
    global _dapr
    _dapr = dapr


def _gateway() -> DaprGateway:
    if _dapr is None:
        raise RuntimeError("activities used before use_gateway()")
    return _dapr


def _call(app_id: str, method: str, order: Order) -> StepResult:
    # 5xx and transport faults raise DaprUnavailable: the retry policy takes them.
    # A 4xx is the service refusing the order: a business outcome, not worth a retry.
    answer = _gateway().invoke(app_id, method, order.model_dump(mode="json", exclude_none=True))
    body = answer.body if isinstance(answer.body, dict) else {}
    return StepResult(ok=answer.ok, status=str(body.get("status", "unknown")), error=body.get("error"))


def take_order(ctx: WorkflowActivityContext, order: Order) -> StepResult:
    """Have the storefront validate, process and confirm the order."""
    return _call(STOREFRONT_APP, "order", order)


def cook_pizza(ctx: WorkflowActivityContext, order: Order) -> StepResult:
    """Have the kitchen cook the pizza."""
    return _call(KITCHEN_APP, "cook", order)


def deliver_pizza(ctx: WorkflowActivityContext, order: Order) -> StepResult:
    """Have delivery bring the pizza to the customer."""
    return _call(DELIVERY_APP, "deliver", order)


def request_validation(ctx: WorkflowActivityContext, order: Order) -> None:
    """Record that the pizza waits for its quality check, and say so on the orders topic."""
    record = ValidationRecord(order_id=order.order_id, status=PENDING_VALIDATION)
    try:
        _gateway().save_state(validation_key(order.order_id), record.model_dump(mode="json"), create=True)
    except ETagMismatch:
        log.info("order %s: validation already requested", order.order_id)  # a retried activity
    publish_status(_gateway(), order, PENDING_VALIDATION)


def close_validation(ctx: WorkflowActivityContext, outcome: ValidationOutcome) -> None:
    """Record a validation that timed out; decisions were recorded by the route that took them."""
    if not outcome.timed_out:
        return
    value, etag = _gateway().get_state(validation_key(outcome.order_id))
    if value is not None and ValidationRecord.model_validate(value).status != PENDING_VALIDATION:
        return  # a decision arrived just as the timer fired: it stands
    record = ValidationRecord(order_id=outcome.order_id, status=REJECTED)
    _gateway().save_state(validation_key(outcome.order_id), record.model_dump(mode="json"), etag)


def notify(ctx: WorkflowActivityContext, note: StatusNote) -> None:
    """Publish a status the workflow decided (approved, rejected, failed, ...)."""
    publish_status(_gateway(), note.order, note.status, note.error)


ALL = (take_order, cook_pizza, deliver_pizza, request_validation, close_validation, notify)
DECISIONS = {True: APPROVED, False: REJECTED}
