"""What an order's workflow may do next, and how its state reads to a client."""

import json
from typing import Any

from dapr.ext.workflow import WorkflowState, WorkflowStatus

from pizza_common.statuses import CANCELLED

ACTIVE = frozenset({WorkflowStatus.RUNNING, WorkflowStatus.PENDING, WorkflowStatus.SUSPENDED})
# Which runtime statuses each operator action needs.
ALLOWED = {
    "pause": frozenset({WorkflowStatus.RUNNING}),
    "resume": frozenset({WorkflowStatus.SUSPENDED}),
    "cancel": ACTIVE,
    "validate": frozenset({WorkflowStatus.RUNNING, WorkflowStatus.SUSPENDED}),
}


def _decode(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def describe(order_id: str, state: WorkflowState) -> dict[str, Any]:
    """Return the client's view of an order's workflow: status, stage, output, failure."""
    status = state.runtime_status
    stage = _decode(state.serialized_custom_status)
    if status == WorkflowStatus.TERMINATED:
        stage = CANCELLED
    view: dict[str, Any] = {
        "order_id": order_id,
        "workflow_instance_id": state.instance_id,
        "runtime_status": status.name,
        "stage": stage,
        "created_at": state.created_at.isoformat() if state.created_at else None,
        "last_updated_at": state.last_updated_at.isoformat() if state.last_updated_at else None,
    }
    if status not in ACTIVE:
        view["output"] = _decode(state.serialized_output)
    if state.failure_details is not None:
        view["failure"] = {
            "message": state.failure_details.message,
            "error_type": state.failure_details.error_type,
        }
    return view
