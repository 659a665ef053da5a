"""Order statuses and the timed stages of each service, in the workshop's order."""

from typing import Final

VALIDATING: Final = "validating"
PROCESSING: Final = "processing"
CONFIRMED: Final = "confirmed"
COOKED: Final = "cooked"
COOKING_FAILED: Final = "cooking_failed"
PENDING_VALIDATION: Final = "pending_validation"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
DELIVERED: Final = "delivered"
DELIVERY_FAILED: Final = "delivery_failed"
ORDER_FAILED: Final = "failed"
CANCELLED: Final = "cancelled"

Stages = tuple[tuple[str, float], ...]

# (status published when the stage starts, workshop duration in seconds)
# The storefront's last stage is its result; kitchen and delivery end with a final status.
STOREFRONT_STAGES: Final[Stages] = ((VALIDATING, 1), (PROCESSING, 2), (CONFIRMED, 1))

KITCHEN_STAGES: Final[Stages] = (
    ("cooking_preparing_ingredients", 2),
    ("cooking_making_dough", 3),
    ("cooking_adding_toppings", 2),
    ("cooking_baking", 5),
    ("cooking_quality_check", 1),
)

DELIVERY_STAGES: Final[Stages] = (
    ("delivery_finding_driver", 2),
    ("delivery_driver_assigned", 1),
    ("delivery_picked_up", 2),
    ("delivery_on_the_way", 5),
    ("delivery_arriving", 2),
    ("delivery_at_location", 1),
)

TERMINAL: Final = frozenset({DELIVERED, DELIVERY_FAILED, COOKING_FAILED, REJECTED, ORDER_FAILED, CANCELLED})
