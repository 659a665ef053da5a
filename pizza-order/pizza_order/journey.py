"""The stages an order goes through, as the shop page and the terminal client show them."""

from typing import Any, Final

from pizza_common.statuses import (
    APPROVED,
    AWAITING_MANAGER_APPROVAL,
    COOKED,
    DELIVERED,
    DELIVERY_STAGES,
    ENDED,
    INGREDIENTS_RESERVED,
    KITCHEN_STAGES,
    MESSAGES,
    PAYMENT_CHARGED,
    PENDING_VALIDATION,
    STOREFRONT_STAGES,
)

# The way to a delivered pizza; other statuses (manager approval, remakes, refunds) are side trips.
STEPS: Final = (
    *(status for status, _ in STOREFRONT_STAGES),
    INGREDIENTS_RESERVED,
    PAYMENT_CHARGED,
    *(status for status, _ in KITCHEN_STAGES),
    COOKED,
    PENDING_VALIDATION,
    APPROVED,
    *(status for status, _ in DELIVERY_STAGES),
    DELIVERED,
)
# Statuses at which an order waits for a person, and which view of the page that person uses.
WAITING_FOR: Final = {PENDING_VALIDATION: "kitchen", AWAITING_MANAGER_APPROVAL: "manager"}


def describe() -> dict[str, Any]:
    """Return the steps in order, the statuses that end an order and the customer's messages."""
    return {
        "steps": [{"status": s, "message": MESSAGES.get(s, s)} for s in STEPS],
        "ends": sorted(ENDED),
        "delivered": DELIVERED,
        "waiting_for": WAITING_FOR,
        "messages": MESSAGES,
    }
