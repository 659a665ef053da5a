"""Names every service agrees on: app ids, ports, components, topics, events, keys."""

from typing import Final

ORDER_APP: Final = "pizza-order"
STOREFRONT_APP: Final = "pizza-storefront"
KITCHEN_APP: Final = "pizza-kitchen"
DELIVERY_APP: Final = "pizza-delivery"
WORKFLOW_APP: Final = "pizza-workflow"

# app-id -> (app port, Dapr HTTP port), as in the workshop.
PORTS: Final[dict[str, tuple[int, int]]] = {
    ORDER_APP: (8001, 3501),
    STOREFRONT_APP: (8002, 3502),
    KITCHEN_APP: (8003, 3503),
    DELIVERY_APP: (8004, 3504),
    WORKFLOW_APP: (8005, 3505),
}

STATE_STORE: Final = "pizzastatestore"
PUBSUB: Final = "pizzapubsub"
ORDERS_TOPIC: Final = "orders"
ORDERS_SUB_ROUTE: Final = "/orders-sub"
INVENTORY_KEY: Final = "inventory"  # the kitchen's one stock document, written at its ETag

WORKFLOW_NAME: Final = "pizza_workflow"
VALIDATION_EVENT: Final = "ValidationComplete"
MANAGER_APPROVAL_EVENT: Final = "ManagerApproval"
CANCEL_EVENT: Final = "CancelOrder"


def order_key(order_id: str) -> str:
    """Return the state key of an order."""
    return f"order_{order_id}"


def payment_key(order_id: str) -> str:
    """Return the state key of an order's payment record (the storefront's provider)."""
    return f"payment_{order_id}"


def claim_key(order_id: str) -> str:
    """Return the state key that marks an order id as used, for good (purging workflows keeps it)."""
    return f"claim_{order_id}"


def instance_id(order_id: str) -> str:
    """Return the workflow instance id of an order (derived, so starts are idempotent)."""
    return f"pizza-order-{order_id}"
