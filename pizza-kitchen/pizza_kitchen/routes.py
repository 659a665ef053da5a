"""Routes of pizza-kitchen: cook an order, and the ingredient inventory it cooks from."""

import logging
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from flask_openapi3 import APIBlueprint

from pizza_common.contract.inventory import (
    CookRequest,
    InventoryView,
    Reservation,
    ReserveRequest,
    RestockRequest,
)
from pizza_common.contract.menu import ingredients_for
from pizza_common.contract.models import OrderRef
from pizza_common.contract.statuses import KITCHEN_STAGES, OrderStatus
from pizza_common.service.web import Reply, dapr_only
from pizza_common.sidecar.dapr_io import DaprUnavailable, gateway
from pizza_common.sidecar.guarded import Outcome
from pizza_common.stages import publish_status, run_stages
from pizza_kitchen import stock_rules, store
from pizza_kitchen.settings import kitchen_settings
from pizza_kitchen.stock import Stock, view

log = logging.getLogger(__name__)
T = TypeVar("T")
kitchen = APIBlueprint("kitchen", __name__)
stock = APIBlueprint("inventory", __name__)


@kitchen.post("/cook", responses={200: CookRequest, 409: CookRequest, 503: CookRequest})
@dapr_only
def cook(body: CookRequest) -> Reply:
    """Cook an order through the kitchen's stages, then consume its attempt's ingredients once."""
    dapr, settings = gateway(), kitchen_settings()
    need = ingredients_for(body.pizza_type, body.quantity)

    def use(s: Stock) -> Outcome[Reservation, Stock]:
        return stock_rules.consume(s, body.order_id, body.attempt, need)

    try:
        # Look before cooking, so that a pizza the shelf cannot make publishes no stage.
        planned = use(store.load(dapr, settings.initial_stock, body.order_id)[0]).answer
        if planned.status in stock_rules.REFUSED:
            return _cooking_failed(body, planned.error, 409)
        run_stages(dapr, body, KITCHEN_STAGES, None, current_app.config["SETTINGS"].time_scale, body.attempt)
        # Cooked only once the ingredients are used: a release racing the stages wins, and says so.
        used = store.update(dapr, settings, use, body.order_id)
        if used.status in stock_rules.REFUSED:
            return _cooking_failed(body, used.error, 409)
        publish_status(dapr, body, OrderStatus.COOKED, attempt=body.attempt)
    except DaprUnavailable as exc:
        # A retryable fault: 503 so that the caller's retry policy tries again; consuming is idempotent.
        return _cooking_failed(body, str(exc), 503)
    done = body.model_copy(update={"status": OrderStatus.COOKED, "error": None})
    return done.model_dump(mode="json", exclude_none=True)


@stock.get("/inventory", responses={200: InventoryView})
def get_inventory() -> Reply:
    """Return the stock of every ingredient: on hand, reserved, and available to reserve."""
    current, _ = store.load(gateway(), kitchen_settings().initial_stock)
    return view(current).model_dump(mode="json")


@stock.post("/inventory/restock", responses={200: InventoryView})
@dapr_only
def restock(body: RestockRequest) -> Reply:
    """Add units of ingredients to the shelf; answer the stock after."""
    return _update(lambda s: stock_rules.restock(s, body.items)).model_dump(mode="json")


@stock.post("/reserve", responses={200: Reservation, 409: Reservation})
@dapr_only
def reserve(body: ReserveRequest) -> Reply:
    """Set aside an order attempt's ingredients, once; 409 when out of stock or the order was released."""
    need = ingredients_for(body.pizza_type, body.quantity)
    answer = _update(lambda s: stock_rules.reserve(s, body.order_id, body.attempt, need), body.order_id)
    return _reply(answer)


@stock.post("/release", responses={200: Reservation})
@dapr_only
def release(body: OrderRef) -> Reply:
    """Give back what an order still holds and refuse its later reserves; harmless to repeat."""
    released = _update(lambda s: stock_rules.release(s, body.order_id), body.order_id)
    return released.model_dump(mode="json", exclude_none=True)


def _reply(answer: Reservation) -> Reply:
    body = answer.model_dump(mode="json", exclude_none=True)
    return (body, 409) if answer.status in stock_rules.REFUSED else body


def _update(change: Callable[[Stock], Outcome[T, Stock]], order_id: str | None = None) -> T:
    return store.update(gateway(), kitchen_settings(), change, order_id)


def _cooking_failed(order: CookRequest, reason: str | None, code: int) -> Reply:
    log.error("order %s: %s: %s", order.order_id, OrderStatus.COOKING_FAILED, reason)
    failed = order.model_copy(
        update={"status": OrderStatus.COOKING_FAILED, "error": (reason or OrderStatus.COOKING_FAILED)[:2000]}
    )
    return failed.model_dump(mode="json", exclude_none=True), code
