"""Routes of pizza-workflow: start, follow, list and steer order workflows."""

import logging
import time

import grpc
from dapr.ext.workflow import WorkflowStatus
from flask_openapi3 import APIBlueprint

from pizza_common.auth.staff_guard import staff_only
from pizza_common.contract.models import Order, OrderRef, OrdersQuery, StatusQuery
from pizza_common.contract.statuses import ENDED, OrderStatus, Stage
from pizza_common.release import VERSION
from pizza_common.service.settings import retention_s
from pizza_common.service.web import Reply, error
from pizza_common.sidecar.dapr_io import ETagMismatch, gateway
from pizza_common.stages import publish_status
from pizza_workflow import listing
from pizza_workflow.ids import CANCEL_EVENT, WORKFLOW_NAME, claim_key, instance_id
from pizza_workflow.orders import conflict, find
from pizza_workflow.settings import workflow_settings
from pizza_workflow.types import WorkflowInput
from pizza_workflow.views import ALLOWED, FINISHED, history, order_view
from pizza_workflow.worker import client

log = logging.getLogger(__name__)
CANCEL_POLL_S = 0.05
bp = APIBlueprint("workflow", __name__)
# Ending already, or out for delivery: the workflow no longer takes a cancel.
TOO_LATE_TO_CANCEL = ENDED | {Stage.COMPENSATING, Stage.DELIVERY}


@bp.post("/start-order")
def start_order(body: Order) -> Reply:
    """Start the workflow of a new order; 409 if the order id has a workflow already."""
    wf_input = WorkflowInput(order=body, release=VERSION, **workflow_settings().rules().model_dump())
    iid = instance_id(body.order_id)
    # An id is used once, for good: every effect of an order is keyed by its id, so a second run
    # under the same id (after /purge-orders, say) would be answered with the first run's charge.
    # The claim comes first: only a start that loses it asks the engine why (a new order costs no lookup).
    try:
        # Twice the retention: it outlasts the order's other keys, which go a retention after they end.
        gateway().save_state(
            claim_key(body.order_id), {"instance_id": iid}, create=True, ttl_s=2 * retention_s()
        )
    except ETagMismatch:
        existing = find(body.order_id)
        if existing is not None:
            return conflict(body.order_id, existing, "start")
        return error(
            409, f"order id {body.order_id} was used before: each order id is used once, choose another"
        )
    try:
        client().schedule_new_workflow(WORKFLOW_NAME, input=wf_input, instance_id=iid)
    except grpc.RpcError as exc:
        if exc.code() != grpc.StatusCode.ALREADY_EXISTS and "already exists" not in str(exc.details()):
            gateway().delete_state(claim_key(body.order_id))  # nothing started: the id is still free
            raise
        return error(409, f"order {body.order_id} was started concurrently")
    return {"order_id": body.order_id, "workflow_instance_id": iid, "status": "started"}, 202


@bp.get("/get-status/<order_id>")
def get_status(path: OrderRef, query: StatusQuery) -> Reply:
    """Return the order's workflow status, stage, progress, outcome once finished, and steps on request."""
    state = find(path.order_id)
    if state is None:
        return error(404, f"order {path.order_id} not found")
    view = order_view(path.order_id, state)
    if query.history:
        view["history"] = history(client().get_workflow_history(state.instance_id))
    return view


@bp.get("/orders")
@staff_only
def list_orders(query: OrdersQuery) -> Reply:
    """List a page of the orders' workflows, by order id, optionally at some runtime statuses."""
    found = listing.page(client(), query)  # a bad cursor: 422, the app's BadCursor handler
    return {"orders": found.orders, "next": found.next}


def _steer(order_id: str, action: str, done: str) -> Reply:
    state = find(order_id)
    if state is None:
        return error(404, f"order {order_id} not found")
    if state.runtime_status not in ALLOWED[action]:
        return conflict(order_id, state, action)
    if action == "cancel" and order_view(order_id, state)["stage"] in TOO_LATE_TO_CANCEL:
        return conflict(order_id, state, action)  # it is ending already, and listens no more
    iid = instance_id(order_id)
    if action == "pause":
        client().pause_workflow(iid)
    elif action == "resume":
        client().resume_workflow(iid)
    elif action == "cancel":
        # The workflow compensates (refund, release) and ends "cancelled" by itself.
        client().raise_workflow_event(iid, CANCEL_EVENT, data={"reason": "cancelled by the customer"})
        if state.runtime_status == WorkflowStatus.SUSPENDED:
            client().resume_workflow(iid)  # a suspended workflow would hold the event until resumed
        return _cancel_taken(order_id)
    else:
        client().terminate_workflow(iid, output={"order_id": order_id, "status": OrderStatus.TERMINATED})
        order = WorkflowInput.model_validate_json(state.serialized_input).order
        publish_status(
            gateway(), order, OrderStatus.TERMINATED, "stopped by an operator, without compensation"
        )
    return {"order_id": order_id, "status": done}


def _cancel_taken(order_id: str) -> Reply:
    """Answer 200 once the workflow took the cancel, 409 if it ended or moved on without it, or
    202 if it has not acted on it in time (the cancel still stands, unless it is out for delivery)."""
    deadline = time.monotonic() + workflow_settings().cancel_wait_s
    while True:
        state = find(order_id)
        if state is None:
            return error(404, f"order {order_id} not found")
        now = order_view(order_id, state)
        if now.get("ending") == OrderStatus.CANCELLED or now.get("stage") == OrderStatus.CANCELLED:
            return {"order_id": order_id, "status": "cancelled"}
        if now.get("ending") or now["stage"] in TOO_LATE_TO_CANCEL or state.runtime_status in FINISHED:
            return conflict(order_id, state, "cancel")
        if time.monotonic() > deadline:
            return {"order_id": order_id, "status": "cancel_requested", "stage": now["stage"]}, 202
        time.sleep(CANCEL_POLL_S)


@bp.post("/pause-order")
@staff_only
def pause_order(body: OrderRef) -> Reply:
    """Suspend a running order's workflow."""
    return _steer(body.order_id, "pause", "paused")


@bp.post("/resume-order")
@staff_only
def resume_order(body: OrderRef) -> Reply:
    """Resume a suspended order's workflow."""
    return _steer(body.order_id, "resume", "resumed")


@bp.post("/cancel-order")
@staff_only
def cancel_order(body: OrderRef) -> Reply:
    """Cancel an unfinished order: the workflow refunds, releases and records it cancelled."""
    return _steer(body.order_id, "cancel", "cancelled")


@bp.post("/terminate-order")
@staff_only
def terminate_order(body: OrderRef) -> Reply:
    """Stop an order's workflow at once, for operators: nothing is refunded or released."""
    return _steer(body.order_id, "terminate", OrderStatus.TERMINATED)
