"""Routes of pizza-workflow: start orders, take quality decisions, and steer workflows."""

import logging

import grpc
from dapr.ext.workflow import WorkflowState
from flask import current_app
from flask_openapi3 import APIBlueprint

from pizza_common.dapr_io import ETagMismatch, gateway
from pizza_common.models import Order, OrderRef, ValidationDecision, ValidationRecord
from pizza_common.names import VALIDATION_EVENT, WORKFLOW_NAME, instance_id, validation_key
from pizza_common.stages import publish_status
from pizza_common.statuses import CANCELLED, PENDING_VALIDATION
from pizza_common.web import Reply, error
from pizza_workflow.activities import DECISIONS
from pizza_workflow.control import ALLOWED, describe
from pizza_workflow.types import WorkflowInput
from pizza_workflow.worker import client

log = logging.getLogger(__name__)
bp = APIBlueprint("workflow", __name__)


def _state(order_id: str) -> WorkflowState | None:
    return client().get_workflow_state(instance_id(order_id), fetch_payloads=True)


def _conflict(order_id: str, state: WorkflowState, action: str) -> Reply:
    view = describe(order_id, state)
    return error(
        409,
        f"cannot {action} order {order_id} while it is {view['runtime_status']} at stage {view['stage']}",
        runtime_status=view["runtime_status"],
        stage=view["stage"],
    )


@bp.post("/start-order")
def start_order(body: Order) -> Reply:
    """Start the workflow of a new order; 409 if the order id has a workflow already."""
    iid = instance_id(body.order_id)
    existing = _state(body.order_id)
    if existing is not None:
        return _conflict(body.order_id, existing, "start")
    settings = current_app.config["SETTINGS"]
    wf_input = WorkflowInput(order=body, validation_timeout_s=settings.validation_timeout_s)
    try:
        client().schedule_new_workflow(WORKFLOW_NAME, input=wf_input, instance_id=iid)
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.ALREADY_EXISTS and "already exists" not in str(exc.details()):
            raise
        return error(409, f"order {body.order_id} was started concurrently")
    return {"order_id": body.order_id, "workflow_instance_id": iid, "status": "started"}, 202


@bp.post("/validate-pizza")
def validate_pizza(body: ValidationDecision) -> Reply:
    """Record the quality check's decision and hand it to the waiting workflow."""
    state = _state(body.order_id)
    if state is None:
        return error(404, f"order {body.order_id} not found")
    value, etag = gateway().get_state(validation_key(body.order_id))
    record = ValidationRecord.model_validate(value) if value is not None else None
    if (
        state.runtime_status not in ALLOWED["validate"]
        or record is None
        or record.status != PENDING_VALIDATION
    ):
        return _conflict(body.order_id, state, "validate")
    decided = ValidationRecord(order_id=body.order_id, status=DECISIONS[body.approved])
    try:
        # Only the first decision wins: the etag makes a concurrent second one fail.
        gateway().save_state(validation_key(body.order_id), decided.model_dump(mode="json"), etag)
    except ETagMismatch:
        return error(409, f"order {body.order_id} was validated concurrently")
    client().raise_workflow_event(
        instance_id(body.order_id), VALIDATION_EVENT, data={"approved": body.approved}
    )
    return {"order_id": body.order_id, "validation_status": decided.status}


@bp.get("/get-status/<order_id>")
def get_status(path: OrderRef) -> Reply:
    """Return the order's workflow status, stage, and output once finished."""
    state = _state(path.order_id)
    if state is None:
        return error(404, f"order {path.order_id} not found")
    return describe(path.order_id, state)


def _steer(order_id: str, action: str, done: str) -> Reply:
    state = _state(order_id)
    if state is None:
        return error(404, f"order {order_id} not found")
    if state.runtime_status not in ALLOWED[action]:
        return _conflict(order_id, state, action)
    iid = instance_id(order_id)
    if action == "pause":
        client().pause_workflow(iid)
    elif action == "resume":
        client().resume_workflow(iid)
    else:
        client().terminate_workflow(iid, output={"order_id": order_id, "status": CANCELLED})
        order = WorkflowInput.model_validate_json(state.serialized_input).order
        publish_status(gateway(), order, CANCELLED)
    return {"order_id": order_id, "status": done}


@bp.post("/pause-order")
def pause_order(body: OrderRef) -> Reply:
    """Suspend a running order's workflow."""
    return _steer(body.order_id, "pause", "paused")


@bp.post("/resume-order")
def resume_order(body: OrderRef) -> Reply:
    """Resume a suspended order's workflow."""
    return _steer(body.order_id, "resume", "resumed")


@bp.post("/cancel-order")
def cancel_order(body: OrderRef) -> Reply:
    """Stop an order's workflow for good and record it as cancelled."""
    return _steer(body.order_id, "cancel", "cancelled")
