"""The route of a service that works an order through timed stages (storefront, kitchen, delivery)."""

import logging

from flask import current_app
from flask_openapi3 import APIBlueprint

from pizza_common.dapr_io import DaprUnavailable, gateway
from pizza_common.models import Order
from pizza_common.stages import run_stages
from pizza_common.statuses import OrderStatus, Stages
from pizza_common.web import Reply

log = logging.getLogger(__name__)


def work(body: Order, stages: Stages, final: OrderStatus | None, failed: OrderStatus) -> Order | Reply:
    """Run an order's stages; return it at its final status, or the 503 reply of a fault."""
    scale = current_app.config["SETTINGS"].time_scale
    try:
        return run_stages(gateway(), body, stages, final, scale)
    except DaprUnavailable as exc:
        # A retryable fault: 503 so that the caller's retry policy tries again.
        log.error("order %s: %s: %s", body.order_id, failed, exc)
        failed_order = body.model_copy(update={"status": failed, "error": str(exc)})
        return failed_order.model_dump(mode="json", exclude_none=True), 503


def stage_blueprint(
    name: str, route: str, stages: Stages, final: OrderStatus | None, failed: OrderStatus
) -> APIBlueprint:
    """Return a blueprint whose POST `route` runs `stages` and answers the order at `final`."""
    bp = APIBlueprint(name, __name__)

    @bp.post(route, responses={200: Order})
    def stage_route(body: Order) -> Reply:
        done = work(body, stages, final, failed)
        return done.model_dump(mode="json", exclude_none=True) if isinstance(done, Order) else done

    stage_route.__doc__ = f"Work an order through its stages; answer it at status {final or stages[-1][0]}."
    return bp
