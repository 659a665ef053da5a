"""The workflow's names: its registered name, its events, and the ids and keys derived from an order id."""

from typing import Final

WORKFLOW_NAME: Final = "pizza_workflow"
VALIDATION_EVENT: Final = "ValidationComplete"
MANAGER_APPROVAL_EVENT: Final = "ManagerApproval"
CANCEL_EVENT: Final = "CancelOrder"


def instance_id(order_id: str) -> str:
    """Return the workflow instance id of an order (derived, so starts are idempotent)."""
    return f"pizza-order-{order_id}"


def claim_key(order_id: str) -> str:
    """Return the state key that marks an order id as used, for good (purging workflows keeps it)."""
    return f"claim_{order_id}"
