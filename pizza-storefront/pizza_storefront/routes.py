"""Routes of pizza-storefront."""

from pizza_common.stage_service import stage_blueprint
from pizza_common.statuses import ORDER_FAILED, STOREFRONT_STAGES

bp = stage_blueprint("storefront", "/order", STOREFRONT_STAGES, None, ORDER_FAILED)
