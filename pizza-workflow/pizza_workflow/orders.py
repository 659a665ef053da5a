"""An order's workflow found by the order id, and the 409 that explains why an action does not fit it."""

from dapr.ext.workflow import WorkflowState

from pizza_common.service.web import Reply, error
from pizza_workflow.ids import instance_id
from pizza_workflow.views import order_view
from pizza_workflow.worker import client


def find(order_id: str) -> WorkflowState | None:
    """Return the state of the order's workflow, or None if it has none."""
    return client().get_workflow_state(instance_id(order_id), fetch_payloads=True)


def conflict(order_id: str, state: WorkflowState, action: str, **extra: object) -> Reply:
    """Return a 409 that names the order's runtime status and stage."""
    view = order_view(order_id, state)
    return error(
        409,
        f"cannot {action} order {order_id} while it is {view['runtime_status']} at stage {view['stage']}",
        runtime_status=view["runtime_status"],
        stage=view["stage"],
        **extra,
    )
