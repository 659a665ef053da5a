"""Names every service agrees on: app ids, ports, components and the orders topic."""

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
# The header that carries the staff's credential (PIZZA_STAFF_TOKEN) to pizza-order and pizza-workflow.
STAFF_HEADER: Final = "X-Staff-Token"
# The Zipkin that scripts/controlplane.sh starts, as the Dapr configurations name it (config/*.yaml).
ZIPKIN_URL: Final = "http://127.0.0.1:9411"
