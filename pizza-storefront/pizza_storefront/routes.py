"""Routes of pizza-storefront: the menu and taking an order."""

import logging

from flask import current_app
from flask_openapi3 import APIBlueprint

from pizza_common.dapr_io import DaprUnavailable, gateway
from pizza_common.menu import price_cents
from pizza_common.models import Order, PricedOrder
from pizza_common.stages import run_stages
from pizza_common.statuses import ORDER_FAILED, STOREFRONT_STAGES
from pizza_common.web import Reply
from pizza_storefront.menu_view import Menu, build_menu

log = logging.getLogger(__name__)
bp = APIBlueprint("storefront", __name__)


@bp.get("/menu", responses={200: Menu})
def menu() -> Reply:
    """Return the menu: pizzas, their ingredients and their prices in each size."""
    return build_menu().model_dump(mode="json")


@bp.post("/order", responses={200: PricedOrder, 503: Order})
def take_order(body: Order) -> Reply:
    """Validate, process and confirm an order; answer it with the total the shop computed."""
    scale = current_app.config["SETTINGS"].time_scale
    try:
        done = run_stages(gateway(), body, STOREFRONT_STAGES, None, scale)
    except DaprUnavailable as exc:
        # A retryable fault: 503 so that the caller's retry policy tries again.
        log.error("order %s: %s: %s", body.order_id, ORDER_FAILED, exc)
        failed = body.model_copy(update={"status": ORDER_FAILED, "error": str(exc)})
        return failed.model_dump(mode="json", exclude_none=True), 503
    total = price_cents(body.pizza_type, body.size, body.quantity)
    priced = PricedOrder(**done.model_dump(), total_cents=total)
    return priced.model_dump(mode="json", exclude_none=True)
