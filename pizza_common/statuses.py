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


# Statuses of the saga around the workshop's stages.
AWAITING_MANAGER_APPROVAL: Final = "awaiting_manager_approval"
MANAGER_APPROVED: Final = "manager_approved"
INGREDIENTS_RESERVED: Final = "ingredients_reserved"
OUT_OF_STOCK: Final = "out_of_stock"
PAYMENT_CHARGED: Final = "payment_charged"
PAYMENT_DECLINED: Final = "payment_declined"
PAYMENT_REFUNDED: Final = "payment_refunded"
INGREDIENTS_RELEASED: Final = "ingredients_released"
REMAKE: Final = "remake"

# What the customer reads beside each status (notifications stored in the order's history).
MESSAGES: Final[dict[str, str]] = {
    VALIDATING: "We are checking your order.",
    PROCESSING: "Your order is being processed.",
    CONFIRMED: "Your order is confirmed.",
    AWAITING_MANAGER_APPROVAL: "A large order: a manager is having a look.",
    MANAGER_APPROVED: "A manager approved your order.",
    INGREDIENTS_RESERVED: "Your ingredients are set aside.",
    PAYMENT_CHARGED: "Your payment went through.",
    "cooking_preparing_ingredients": "The kitchen is preparing your ingredients.",
    "cooking_making_dough": "Your dough is being made.",
    "cooking_adding_toppings": "Toppings are going on.",
    "cooking_baking": "Your pizza is in the oven.",
    "cooking_quality_check": "Your pizza is getting a last look.",
    COOKED: "Your pizza is cooked.",
    PENDING_VALIDATION: "Your pizza waits for its quality check.",
    APPROVED: "Your pizza passed its quality check.",
    REJECTED: "Your pizza did not pass its quality check.",
    REMAKE: "Your pizza did not pass its quality check: we are making it again.",
    "delivery_finding_driver": "We are finding a driver.",
    "delivery_driver_assigned": "A driver is assigned.",
    "delivery_picked_up": "Your pizza was picked up.",
    "delivery_on_the_way": "Your pizza is on the way.",
    "delivery_arriving": "Your pizza is arriving.",
    "delivery_at_location": "Your driver is at your door.",
    DELIVERED: "Delivered. Enjoy your pizza!",
    OUT_OF_STOCK: "Sorry: we are out of an ingredient for your pizza.",
    PAYMENT_DECLINED: "Sorry: your payment was declined.",
    PAYMENT_REFUNDED: "Your payment was refunded.",
    INGREDIENTS_RELEASED: "Your ingredients went back to the shelf.",
    CANCELLED: "Your order is cancelled.",
    ORDER_FAILED: "Sorry: something went wrong with your order.",
}

# pizza-workflow's /terminate-order publishes this status: an operator's stop, not an outcome.
TERMINATED: Final = "terminated"

TERMINAL: Final = frozenset(
    {
        DELIVERED,
        DELIVERY_FAILED,
        COOKING_FAILED,
        REJECTED,
        ORDER_FAILED,
        CANCELLED,
        OUT_OF_STOCK,
        PAYMENT_DECLINED,
    }
)
# The workflow's stage while it undoes what an order holds, on its way to an end: too late to cancel.
COMPENSATING: Final = "compensating"

# Every status after which an order changes no more: the outcomes, and an operator's stop.
ENDED: Final = TERMINAL | {TERMINATED}
