"""How an order's workflow reads to a client (its view, its history) and what it may do next."""

import json
from datetime import UTC
from typing import Any

from dapr.ext.workflow import WorkflowHistoryEvent, WorkflowHistoryEventType, WorkflowState, WorkflowStatus

from pizza_common.contract.statuses import OrderStatus

ACTIVE = frozenset({WorkflowStatus.RUNNING, WorkflowStatus.PENDING, WorkflowStatus.SUSPENDED})
FINISHED = frozenset({WorkflowStatus.COMPLETED, WorkflowStatus.FAILED, WorkflowStatus.TERMINATED})
# Which runtime statuses each action needs.
ALLOWED = {
    "pause": frozenset({WorkflowStatus.RUNNING}),
    "resume": frozenset({WorkflowStatus.SUSPENDED}),
    "cancel": ACTIVE,
    "terminate": ACTIVE,
    "decide": frozenset({WorkflowStatus.RUNNING, WorkflowStatus.SUSPENDED}),
}


def _decode(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def progress(state: WorkflowState) -> dict[str, Any]:
    """Return the workflow's custom status: stage, attempt, total, payment and inventory."""
    value = _decode(state.serialized_custom_status)
    return value if isinstance(value, dict) else {}


def order_view(order_id: str, state: WorkflowState) -> dict[str, Any]:
    """Return the client's view of an order's workflow: status, stage, progress, outcome."""
    status = state.runtime_status
    view: dict[str, Any] = {
        "order_id": order_id,
        "workflow_instance_id": state.instance_id,
        "runtime_status": status.name,
        **progress(state),
        "created_at": state.created_at.isoformat() if state.created_at else None,
        "last_updated_at": state.last_updated_at.isoformat() if state.last_updated_at else None,
    }
    view.setdefault("stage", None)
    if status == WorkflowStatus.TERMINATED:
        view["stage"] = OrderStatus.TERMINATED
    if status not in ACTIVE:
        view["output"] = _decode(state.serialized_output)
    if state.failure_details is not None:
        view["failure"] = {
            "message": state.failure_details.message,
            "error_type": state.failure_details.error_type,
        }
    return view


# Markers of each replay turn of the workflow, not steps of the order.
TURN_MARKERS = frozenset(
    {WorkflowHistoryEventType.WORKFLOW_STARTED, WorkflowHistoryEventType.WORKFLOW_COMPLETED}
)


def history(events: list[WorkflowHistoryEvent]) -> list[dict[str, Any]]:
    """Return the workflow's steps as the engine recorded them, oldest first, each with its time."""
    names = {e.event_id: e.name for e in events if e.name}
    return [
        {
            "at": e.timestamp.replace(tzinfo=UTC).isoformat(),
            "event": e.event_type.name.lower(),
            # A completion names what it completes, as the engine records only the scheduling's id.
            "name": e.name or (names.get(e.task_scheduled_id) if e.task_scheduled_id is not None else None),
            **({"error": e.failure_details.message} if e.failure_details else {}),
        }
        for e in events
        if e.event_type not in TURN_MARKERS
    ]
