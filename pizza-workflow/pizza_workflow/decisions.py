"""Routes for the people the workflow waits on: the kitchen's quality check and the manager."""

from flask_openapi3 import APIBlueprint

from pizza_common.auth.staff_guard import staff_only
from pizza_common.contract.models import HumanDecision
from pizza_common.service.settings import retention_s
from pizza_common.service.web import Reply, error
from pizza_common.sidecar.dapr_io import ETagMismatch, gateway
from pizza_workflow.checks import DECIDED, MANAGER, QUALITY, Check, Record
from pizza_workflow.ids import instance_id
from pizza_workflow.orders import conflict, find
from pizza_workflow.views import ALLOWED, progress
from pizza_workflow.worker import client

bp = APIBlueprint("decisions", __name__)


def _decide(body: HumanDecision, check: Check) -> Reply:
    """Record the first decision on an open check, then hand it to the workflow."""
    state = find(body.order_id)
    if state is None:
        return error(404, f"order {body.order_id} not found")
    key = check.key(body.order_id)
    value, etag = gateway().get_state(key)
    record = Record.model_validate(value) if value is not None else None
    if record is None:
        return error(409, f"order {body.order_id} needs no {check.what}")
    decided = record.model_copy(update={"status": DECIDED[body.approved]})
    # The same decision again while the workflow still waits at this attempt: a retry after a
    # crash between recording it and raising the event. Raise it again; the workflow takes one.
    now = progress(state)
    repeat = (
        record.status == decided.status
        and now.get("stage") == check.stage
        and now.get("attempt", 0) == record.attempt
    )
    if state.runtime_status not in ALLOWED["decide"] or (record.status != check.waiting and not repeat):
        return conflict(body.order_id, state, f"record a {check.what} for", status=record.status)
    if not repeat:
        try:
            # Only the first decision wins: the etag makes a concurrent second one fail.
            gateway().save_state(key, decided.model_dump(mode="json"), etag, ttl_s=retention_s())
        except ETagMismatch:
            return error(409, f"order {body.order_id} got its {check.what} concurrently")
    decision = {"approved": body.approved, "attempt": record.attempt}
    client().raise_workflow_event(instance_id(body.order_id), check.event, data=decision)
    return {"order_id": body.order_id, check.answer_field: decided.status}


@bp.post("/validate-pizza")
@staff_only
def validate_pizza(body: HumanDecision) -> Reply:
    """Record the quality check's decision and hand it to the waiting workflow."""
    return _decide(body, QUALITY)


@bp.post("/approve-order")
@staff_only
def approve_order(body: HumanDecision) -> Reply:
    """Record a manager's decision on a large order and hand it to the waiting workflow."""
    return _decide(body, MANAGER)
