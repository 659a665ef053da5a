"""Routes of pizza-delivery."""

from pizza_common.stage_service import stage_blueprint
from pizza_common.statuses import DELIVERY_STAGES, OrderStatus
from pizza_common.web import dapr_only

bp = dapr_only(
    stage_blueprint(
        "delivery", "/deliver", DELIVERY_STAGES, OrderStatus.DELIVERED, OrderStatus.DELIVERY_FAILED
    )
)
