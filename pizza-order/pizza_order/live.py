"""Live order updates: server-sent-event streams fed by the orders topic subscription."""

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_openapi3 import APIBlueprint
from pydantic import ValidationError

from pizza_common.dapr_io import gateway
from pizza_common.models import HistoryEntry, OrderRef, StatusUpdate
from pizza_common.names import ORDERS_SUB_ROUTE
from pizza_common.web import Reply, error
from pizza_order import broker as sse
from pizza_order import store

log = logging.getLogger(__name__)
bp = APIBlueprint("live", __name__, url_prefix="/api")
HEARTBEAT_S = 15.0
MAX_STREAM_S = 600.0  # a stream holds a thread: end it now and then, the client reconnects


def event_of(order_id: str, entry: HistoryEntry | StatusUpdate) -> dict[str, Any]:
    """Return what a stream sends for one status: the history entry with its order id."""
    fields = entry.model_dump(mode="json", include=set(HistoryEntry.model_fields))
    return {"order_id": order_id, **fields}


def _open(order_id: str | None, backlog: Callable[[], list[dict[str, Any]]]) -> Reply:
    try:
        sub = sse.broker().subscribe(order_id)
    except sse.TooManyStreams as exc:
        return error(503, f"too many live streams ({exc}): try again shortly")
    try:
        # Read the backlog after subscribing, so that nothing merged in between is missed.
        events = backlog()
    except Exception:
        sse.broker().unsubscribe(sub)
        raise
    cfg = current_app.config
    body = sse.stream(
        sse.broker(),
        sub,
        events,
        float(cfg.get("SSE_HEARTBEAT_S", HEARTBEAT_S)),
        float(cfg.get("SSE_MAX_S", MAX_STREAM_S)),
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return Response(body, mimetype="text/event-stream", headers=headers)


@bp.get("/events", doc_ui=False)
def all_events() -> Reply:
    """Stream every order's status events as they are merged."""
    return _open(None, list)


@bp.get("/orders/<order_id>/events", doc_ui=False)
def order_events(path: OrderRef) -> Reply:
    """Stream one order's status history so far, then its new status events."""

    def history() -> list[dict[str, Any]]:
        record, _ = store.load(gateway(), path.order_id)
        return [event_of(path.order_id, h) for h in record.history] if record else []

    return _open(path.order_id, history)


def _push_merged(response: Response) -> Response:
    """After the subscription stored an event, hand it to the open streams."""
    if request.path != ORDERS_SUB_ROUTE or response.status_code != 200:
        return response
    if (response.get_json(silent=True) or {}).get("status") != "SUCCESS":
        return response
    try:
        update = StatusUpdate.model_validate((request.get_json(silent=True) or {}).get("data"))
    except ValidationError:
        return response
    # A redelivered event is pushed again: clients drop it by its event id.
    sse.broker().publish(event_of(update.order_id, update))
    return response


def init_app(app: Flask) -> None:
    """Give the app its broker and feed it from the orders topic subscription."""
    sse.init_app(app)
    app.after_request(_push_merged)
