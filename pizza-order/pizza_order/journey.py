"""The stages an order goes through, as the shop page and the terminal client show them."""

from typing import Any, Final

from pizza_common.contract.statuses import (
    DELIVERY_STAGES,
    ENDED,
    KITCHEN_STAGES,
    MESSAGES,
    STOREFRONT_STAGES,
    OrderStatus,
)

# The way to a delivered pizza; other statuses (manager approval, remakes, refunds) are side trips.
JOURNEY: Final = (
    *(status for status, _ in STOREFRONT_STAGES),
    OrderStatus.INGREDIENTS_RESERVED,
    OrderStatus.PAYMENT_CHARGED,
    *(status for status, _ in KITCHEN_STAGES),
    OrderStatus.COOKED,
    OrderStatus.PENDING_VALIDATION,
    OrderStatus.APPROVED,
    *(status for status, _ in DELIVERY_STAGES),
    OrderStatus.DELIVERED,
)
# Statuses at which an order waits for a person, and which view of the page that person uses.
WAITING_FOR: Final = {
    OrderStatus.PENDING_VALIDATION: "kitchen",
    OrderStatus.AWAITING_MANAGER_APPROVAL: "manager",
}


def view() -> dict[str, Any]:
    """Return the steps in order, the statuses that end an order and the customer's messages."""
    return {
        "steps": [{"status": s, "message": MESSAGES.get(s, s)} for s in JOURNEY],
        "ends": sorted(ENDED),
        "delivered": OrderStatus.DELIVERED,
        "waiting_for": WAITING_FOR,
        "messages": MESSAGES,
    }
