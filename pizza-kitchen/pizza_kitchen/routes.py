"""Routes of pizza-kitchen."""

from pizza_common.stage_service import stage_blueprint
from pizza_common.statuses import COOKED, COOKING_FAILED, KITCHEN_STAGES

bp = stage_blueprint("kitchen", "/cook", KITCHEN_STAGES, COOKED, COOKING_FAILED)
