"""The pizza workflow: storefront, kitchen, a human quality check, then delivery.

Workflow code is replayed from history, so it only decides: every effect is an activity,
time comes from the context, and logs are skipped while replaying.
"""

import logging
from collections.abc import Generator
from datetime import timedelta
from typing import Any

from dapr.ext.workflow import DaprWorkflowContext, RetryPolicy, TaskFailedError, when_any

from pizza_common.models import Order, OrderOutcome, StepResult
from pizza_common.names import VALIDATION_EVENT
from pizza_common.statuses import (
    APPROVED,
    COOKING_FAILED,
    DELIVERED,
    DELIVERY_FAILED,
    ORDER_FAILED,
    PENDING_VALIDATION,
    REJECTED,
)
from pizza_workflow import activities as act
from pizza_workflow.types import StatusNote, ValidationOutcome, WorkflowInput

log = logging.getLogger(__name__)

# Infrastructure faults (5xx, sidecar down) are retried with backoff; refusals are results.
SERVICE_RETRY = RetryPolicy(
    first_retry_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    max_retry_interval=timedelta(seconds=30),
    max_number_of_attempts=6,
)

Steps = Generator[Any, Any, dict[str, Any]]


def pizza_workflow(ctx: DaprWorkflowContext, wf_input: WorkflowInput) -> Steps:
    """Take, cook, validate and deliver one order; return where it ended."""
    order = wf_input.order
    try:
        steps = (("storefront", act.take_order, ORDER_FAILED), ("kitchen", act.cook_pizza, COOKING_FAILED))
        for stage, activity, failed in steps:
            result = yield from _step(ctx, stage, activity, order)
            if not result.ok:
                return (yield from _finish(ctx, order, failed, result.error or result.status))

        _stage(ctx, PENDING_VALIDATION, order)
        yield ctx.call_activity(act.request_validation, input=order, retry_policy=SERVICE_RETRY)
        decision = ctx.wait_for_external_event(VALIDATION_EVENT)
        deadline = ctx.create_timer(timedelta(seconds=wf_input.validation_timeout_s))
        winner = yield when_any([decision, deadline])
        timed_out = winner is not decision
        approved = not timed_out and bool((decision.get_result() or {}).get("approved"))
        outcome = ValidationOutcome(order_id=order.order_id, approved=approved, timed_out=timed_out)
        yield ctx.call_activity(act.close_validation, input=outcome, retry_policy=SERVICE_RETRY)
        if not approved:
            reason = "quality check timed out" if timed_out else "rejected by quality check"
            return (yield from _finish(ctx, order, REJECTED, reason))
        yield from _notify(ctx, order, APPROVED)

        result = yield from _step(ctx, "delivery", act.deliver_pizza, order)
        if not result.ok:
            return (yield from _finish(ctx, order, DELIVERY_FAILED, result.error or result.status))
        return (yield from _finish(ctx, order, DELIVERED, None, published=True))
    except TaskFailedError as exc:
        # Retries are spent: say so to the customer, then fail the instance with the cause.
        _log(ctx, logging.ERROR, "order %s failed: %s", order.order_id, exc)
        ctx.set_custom_status(ORDER_FAILED)
        yield from _notify(ctx, order, ORDER_FAILED, str(exc))
        raise


def _step(
    ctx: DaprWorkflowContext, stage: str, activity: Any, order: Order
) -> Generator[Any, Any, StepResult]:
    _stage(ctx, stage, order)
    raw = yield ctx.call_activity(activity, input=order, retry_policy=SERVICE_RETRY)
    return StepResult.model_validate(raw)


def _notify(ctx: DaprWorkflowContext, order: Order, status: str, error: str | None = None) -> Steps:
    note = StatusNote(order=order, status=status, error=error)
    yield ctx.call_activity(act.notify, input=note, retry_policy=SERVICE_RETRY)
    return {}


def _finish(
    ctx: DaprWorkflowContext, order: Order, status: str, error: str | None, *, published: bool = False
) -> Steps:
    ctx.set_custom_status(status)
    if not published:
        yield from _notify(ctx, order, status, error)
    _log(ctx, logging.INFO, "order %s ended %s", order.order_id, status)
    return OrderOutcome(order_id=order.order_id, status=status, error=error).model_dump(mode="json")


def _stage(ctx: DaprWorkflowContext, stage: str, order: Order) -> None:
    ctx.set_custom_status(stage)
    _log(ctx, logging.INFO, "order %s: %s", order.order_id, stage)


def _log(ctx: DaprWorkflowContext, level: int, msg: str, *args: Any) -> None:
    if not ctx.is_replaying:
        log.log(level, msg, *args)
