"""Routes of pizza-storefront: the menu and taking an order."""

from flask_openapi3 import APIBlueprint

from pizza_common.contract.menu import price_cents
from pizza_common.contract.models import Order, PricedOrder
from pizza_common.contract.statuses import STOREFRONT_STAGES, OrderStatus
from pizza_common.service.web import Reply, dapr_only
from pizza_common.stages import work
from pizza_storefront.menu_view import Menu, build_menu

bp = APIBlueprint("storefront", __name__)


@bp.get("/menu", responses={200: Menu})
def menu() -> Reply:
    """Return the menu: pizzas, their ingredients and their prices in each size."""
    return build_menu().model_dump(mode="json")


@bp.post("/order", responses={200: PricedOrder, 503: Order})
@dapr_only
def take_order(body: Order) -> Reply:
    """Validate, process and confirm an order; answer it with the total the shop computed."""
    done = work(body, STOREFRONT_STAGES, None, OrderStatus.FAILED)
    if not isinstance(done, Order):
        return done
    total = price_cents(body.pizza_type, body.size, body.quantity)
    priced = PricedOrder(**done.model_dump(), total_cents=total)
    return priced.model_dump(mode="json", exclude_none=True)
