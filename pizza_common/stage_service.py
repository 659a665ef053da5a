"""How a service works an order through its timed stages (the storefront's `/order`, delivery's
`/deliver`; the kitchen's `/cook` runs them between checking and using its stock)."""

import logging

from flask import current_app

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
