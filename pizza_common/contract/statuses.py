"""The suite's vocabularies: an order's statuses, the workflow's stages, and the timed stages
of each service, in the workshop's order."""

from enum import StrEnum
from typing import Final


class OrderStatus(StrEnum):
    """Every status an order's history can hold: the services' stages and the saga's own."""

    RECEIVED = "received"
    VALIDATING = "validating"
    PROCESSING = "processing"
    CONFIRMED = "confirmed"
    AWAITING_MANAGER_APPROVAL = "awaiting_manager_approval"
    MANAGER_APPROVED = "manager_approved"
    INGREDIENTS_RESERVED = "ingredients_reserved"
    PAYMENT_CHARGED = "payment_charged"
    COOKING_PREPARING_INGREDIENTS = "cooking_preparing_ingredients"
    COOKING_MAKING_DOUGH = "cooking_making_dough"
    COOKING_ADDING_TOPPINGS = "cooking_adding_toppings"
    COOKING_BAKING = "cooking_baking"
    COOKING_QUALITY_CHECK = "cooking_quality_check"
    COOKED = "cooked"
    PENDING_VALIDATION = "pending_validation"
    APPROVED = "approved"
    REMAKE = "remake"
    DELIVERY_FINDING_DRIVER = "delivery_finding_driver"
    DELIVERY_DRIVER_ASSIGNED = "delivery_driver_assigned"
    DELIVERY_PICKED_UP = "delivery_picked_up"
    DELIVERY_ON_THE_WAY = "delivery_on_the_way"
    DELIVERY_ARRIVING = "delivery_arriving"
    DELIVERY_AT_LOCATION = "delivery_at_location"
    DELIVERED = "delivered"
    # How an order ends otherwise, and what the saga undoes on the way.
    COOKING_FAILED = "cooking_failed"
    REJECTED = "rejected"
    DELIVERY_FAILED = "delivery_failed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    OUT_OF_STOCK = "out_of_stock"
    PAYMENT_DECLINED = "payment_declined"
    PAYMENT_REFUNDED = "payment_refunded"
    INGREDIENTS_RELEASED = "ingredients_released"
    # pizza-workflow's /terminate-order publishes this: an operator's stop, not an outcome.
    TERMINATED = "terminated"


class Stage(StrEnum):
    """Where an order's workflow is (its custom status); once ended, the stage is the outcome."""

    RECEIVED = "received"
    STOREFRONT = "storefront"
    AWAITING_MANAGER_APPROVAL = "awaiting_manager_approval"
    PAYMENT_AND_INGREDIENTS = "payment_and_ingredients"
    KITCHEN = "kitchen"
    PENDING_VALIDATION = "pending_validation"
    DELIVERY = "delivery"
    # Undoing what the order holds, on its way to an end: too late to cancel.
    COMPENSATING = "compensating"


TimedStages = tuple[tuple[OrderStatus, float], ...]

# (status published when the stage starts, workshop duration in seconds)
# The storefront's last stage is its result; kitchen and delivery end with a final status.
STOREFRONT_STAGES: Final[TimedStages] = (
    (OrderStatus.VALIDATING, 1),
    (OrderStatus.PROCESSING, 2),
    (OrderStatus.CONFIRMED, 1),
)

KITCHEN_STAGES: Final[TimedStages] = (
    (OrderStatus.COOKING_PREPARING_INGREDIENTS, 2),
    (OrderStatus.COOKING_MAKING_DOUGH, 3),
    (OrderStatus.COOKING_ADDING_TOPPINGS, 2),
    (OrderStatus.COOKING_BAKING, 5),
    (OrderStatus.COOKING_QUALITY_CHECK, 1),
)

DELIVERY_STAGES: Final[TimedStages] = (
    (OrderStatus.DELIVERY_FINDING_DRIVER, 2),
    (OrderStatus.DELIVERY_DRIVER_ASSIGNED, 1),
    (OrderStatus.DELIVERY_PICKED_UP, 2),
    (OrderStatus.DELIVERY_ON_THE_WAY, 5),
    (OrderStatus.DELIVERY_ARRIVING, 2),
    (OrderStatus.DELIVERY_AT_LOCATION, 1),
)

# What the customer reads beside each status (notifications stored in the order's history).
MESSAGES: Final[dict[OrderStatus, str]] = {
    OrderStatus.VALIDATING: "We are checking your order.",
    OrderStatus.PROCESSING: "Your order is being processed.",
    OrderStatus.CONFIRMED: "Your order is confirmed.",
    OrderStatus.AWAITING_MANAGER_APPROVAL: "A large order: a manager is having a look.",
    OrderStatus.MANAGER_APPROVED: "A manager approved your order.",
    OrderStatus.INGREDIENTS_RESERVED: "Your ingredients are set aside.",
    OrderStatus.PAYMENT_CHARGED: "Your payment went through.",
    OrderStatus.COOKING_PREPARING_INGREDIENTS: "The kitchen is preparing your ingredients.",
    OrderStatus.COOKING_MAKING_DOUGH: "Your dough is being made.",
    OrderStatus.COOKING_ADDING_TOPPINGS: "Toppings are going on.",
    OrderStatus.COOKING_BAKING: "Your pizza is in the oven.",
    OrderStatus.COOKING_QUALITY_CHECK: "Your pizza is getting a last look.",
    OrderStatus.COOKED: "Your pizza is cooked.",
    OrderStatus.PENDING_VALIDATION: "Your pizza waits for its quality check.",
    OrderStatus.APPROVED: "Your pizza passed its quality check.",
    OrderStatus.REJECTED: "Your pizza did not pass its quality check.",
    OrderStatus.REMAKE: "Your pizza did not pass its quality check: we are making it again.",
    OrderStatus.DELIVERY_FINDING_DRIVER: "We are finding a driver.",
    OrderStatus.DELIVERY_DRIVER_ASSIGNED: "A driver is assigned.",
    OrderStatus.DELIVERY_PICKED_UP: "Your pizza was picked up.",
    OrderStatus.DELIVERY_ON_THE_WAY: "Your pizza is on the way.",
    OrderStatus.DELIVERY_ARRIVING: "Your pizza is arriving.",
    OrderStatus.DELIVERY_AT_LOCATION: "Your driver is at your door.",
    OrderStatus.DELIVERED: "Delivered. Enjoy your pizza!",
    OrderStatus.OUT_OF_STOCK: "Sorry: we are out of an ingredient for your pizza.",
    OrderStatus.PAYMENT_DECLINED: "Sorry: your payment was declined.",
    OrderStatus.PAYMENT_REFUNDED: "Your payment was refunded.",
    OrderStatus.INGREDIENTS_RELEASED: "Your ingredients went back to the shelf.",
    OrderStatus.CANCELLED: "Your order is cancelled.",
    OrderStatus.FAILED: "Sorry: something went wrong with your order.",
}

# The statuses an order ends at: its outcomes.
TERMINAL: Final = frozenset(
    {
        OrderStatus.DELIVERED,
        OrderStatus.DELIVERY_FAILED,
        OrderStatus.COOKING_FAILED,
        OrderStatus.REJECTED,
        OrderStatus.FAILED,
        OrderStatus.CANCELLED,
        OrderStatus.OUT_OF_STOCK,
        OrderStatus.PAYMENT_DECLINED,
    }
)

# Every status after which an order changes no more: the outcomes, and an operator's stop.
ENDED: Final = TERMINAL | {OrderStatus.TERMINATED}
