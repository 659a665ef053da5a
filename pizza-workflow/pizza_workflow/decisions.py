"""Routes for the humans the workflow waits on: the quality check and the manager."""

from flask_openapi3 import APIBlueprint

from pizza_common.dapr_io import ETagMismatch, gateway
from pizza_common.models import ValidationDecision, ValidationRecord
from pizza_common.names import (
    MANAGER_APPROVAL_EVENT,
    VALIDATION_EVENT,
    approval_key,
    instance_id,
    validation_key,
)
from pizza_common.statuses import OrderStatus
from pizza_common.web import Reply, error
from pizza_workflow.control import ALLOWED, progress
from pizza_workflow.lookup import conflict, find
from pizza_workflow.worker import client

bp = APIBlueprint("decisions", __name__)
OUTCOMES = {True: OrderStatus.APPROVED, False: OrderStatus.REJECTED}


def _decide(body: ValidationDecision, key: str, waiting: str, event: str, what: str) -> Reply:
    """Record the first decision on a waiting record, then hand it to the workflow."""
    state = find(body.order_id)
    if state is None:
        return error(404, f"order {body.order_id} not found")
    value, etag = gateway().get_state(key)
    record = ValidationRecord.model_validate(value) if value is not None else None
    if record is None:
        return error(409, f"order {body.order_id} needs no {what}")
    decided = record.model_copy(update={"status": OUTCOMES[body.approved]})
    # The same decision again while the workflow still waits at this attempt: a retry after a
    # crash between recording it and raising the event. Raise it again; the workflow takes one.
    repeat = (
        record.status == decided.status
        and progress(state).get("stage") == waiting
        and (progress(state).get("attempt", 0) == record.attempt)
    )
    if state.runtime_status not in ALLOWED["decide"] or (record.status != waiting and not repeat):
        return conflict(body.order_id, state, f"record a {what} for", status=record.status)
    if not repeat:
        try:
            # Only the first decision wins: the etag makes a concurrent second one fail.
            gateway().save_state(key, decided.model_dump(mode="json"), etag)
        except ETagMismatch:
            return error(409, f"order {body.order_id} got its {what} concurrently")
    decision = {"approved": body.approved, "attempt": record.attempt}
    client().raise_workflow_event(instance_id(body.order_id), event, data=decision)
    return {"order_id": body.order_id, "validation_status": decided.status}


@bp.post("/validate-pizza")
def validate_pizza(body: ValidationDecision) -> Reply:
    """Record the quality check's decision and hand it to the waiting workflow."""
    return _decide(
        body, validation_key(body.order_id), OrderStatus.PENDING_VALIDATION, VALIDATION_EVENT, "quality check"
    )


@bp.post("/approve-order")
def approve_order(body: ValidationDecision) -> Reply:
    """Record a manager's decision on a large order and hand it to the waiting workflow."""
    answer = _decide(
        body,
        approval_key(body.order_id),
        OrderStatus.AWAITING_MANAGER_APPROVAL,
        MANAGER_APPROVAL_EVENT,
        "manager approval",
    )
    if isinstance(answer, dict):
        return {"order_id": body.order_id, "approval_status": answer["validation_status"]}
    return answer
