"""Routes of pizza-delivery."""

from flask_openapi3 import APIBlueprint

from pizza_common.contract.models import Order
from pizza_common.contract.statuses import DELIVERY_STAGES, OrderStatus
from pizza_common.service.web import Reply, dapr_only
from pizza_common.stages import work

bp = APIBlueprint("delivery", __name__)


@bp.post("/deliver", responses={200: Order, 503: Order})
@dapr_only
def deliver(body: Order) -> Reply:
    """Bring an order through delivery's stages; answer it at delivered."""
    done = work(body, DELIVERY_STAGES, OrderStatus.DELIVERED, OrderStatus.DELIVERY_FAILED)
    return done.model_dump(mode="json", exclude_none=True) if isinstance(done, Order) else done
