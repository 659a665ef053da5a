"""Run a service's timed stages, publishing each status, as the workshop's services do: one way
for the storefront's `/order` and delivery's `/deliver` (`work`); the kitchen's `/cook` runs them
(`run_stages`) between checking and using its stock."""

import logging
import time
from typing import Any

from flask import current_app

from pizza_common.contract.models import Order, StatusUpdate
from pizza_common.contract.names import ORDERS_TOPIC
from pizza_common.contract.statuses import MESSAGES, OrderStatus, TimedStages
from pizza_common.service import tracing
from pizza_common.sidecar.dapr_io import DaprGateway, DaprUnavailable, gateway

log = logging.getLogger(__name__)


def event_id(order_id: str, status: OrderStatus, attempt: int = 0) -> str:
    """Return the idempotency key of a status event: one per order, status and remake."""
    return f"{order_id}:{status}" if attempt == 0 else f"{order_id}:{status}:{attempt}"


def publish_status(
    dapr: DaprGateway,
    order: Order,
    status: OrderStatus,
    error: str | None = None,
    *,
    attempt: int = 0,
    message: str | None = None,
) -> StatusUpdate:
    """Publish an order at a status; the event id makes redelivery and retries harmless."""
    # Subclasses (a priced order, a cook request) publish only the order's own fields.
    fields = order.model_dump(include=set(Order.model_fields) - {"status", "error"})
    update = StatusUpdate(
        **fields,
        status=status,
        error=error[:2000] if error else None,
        event_id=event_id(order.order_id, status, attempt),
        message=message or MESSAGES.get(status),
        trace_id=tracing.trace_id(),
    )
    dapr.publish(ORDERS_TOPIC, update.model_dump(mode="json", exclude_none=True))
    log.info("order %s: %s", order.order_id, status)
    return update


def run_stages(
    dapr: DaprGateway,
    order: Order,
    stages: TimedStages,
    final: OrderStatus | None,
    scale: float,
    attempt: int = 0,
) -> Order:
    """Publish each stage and wait its scaled duration; return the order at its final status."""
    status = order.status
    for status, seconds in stages:
        publish_status(dapr, order, status, attempt=attempt)
        if seconds * scale > 0:
            time.sleep(seconds * scale)
    if final is not None:
        publish_status(dapr, order, final, attempt=attempt)
        status = final
    return order.model_copy(update={"status": status, "error": None})


def work(
    body: Order, stages: TimedStages, final: OrderStatus | None, failed: OrderStatus
) -> Order | tuple[Any, int]:
    """Run an order's stages in a route; return it at its final status, or the 503 reply of a fault."""
    scale = current_app.config["SETTINGS"].time_scale
    try:
        return run_stages(gateway(), body, stages, final, scale)
    except DaprUnavailable as exc:
        # A retryable fault: 503 so that the caller's retry policy tries again.
        log.error("order %s: %s: %s", body.order_id, failed, exc)
        failed_order = body.model_copy(update={"status": failed, "error": str(exc)})
        return failed_order.model_dump(mode="json", exclude_none=True), 503
