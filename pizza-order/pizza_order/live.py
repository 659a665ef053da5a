"""Live order updates: server-sent-event streams fed by the orders topic subscription."""

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_openapi3 import APIBlueprint
from pydantic import BaseModel

from pizza_common.auth.staff_guard import forbidden
from pizza_common.contract.models import OrderId, OrderRef, StatusUpdate
from pizza_common.contract.statuses import OrderStatus
from pizza_common.service.web import Reply, error
from pizza_common.sidecar.dapr_io import gateway
from pizza_order import broker as sse
from pizza_order import staff, store
from pizza_order.records import HistoryEntry

log = logging.getLogger(__name__)
bp = APIBlueprint("live", __name__, url_prefix="/api")
HEARTBEAT_S = 15.0
MAX_STREAM_S = 600.0  # a stream holds a thread: end it now and then, the client reconnects


def event_of(order_id: str, entry: HistoryEntry | StatusUpdate) -> dict[str, Any]:
    """Return what a stream sends for one status: the history entry with its order id."""
    fields = entry.model_dump(mode="json", include=set(HistoryEntry.model_fields))
    return {"order_id": order_id, **fields}


class Followed(BaseModel):
    """The orders a customer's page follows (each shown with its token first); staff follow every order."""

    order: list[OrderId] = []
    status: list[OrderStatus] = []
    """Only these statuses (any, when none is given): a kitchen screen follows pending_validation."""


def _open(
    orders: frozenset[str] | None,
    backlog: Callable[[], list[dict[str, Any]]],
    statuses: frozenset[str] | None = None,
) -> Reply:
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    if request.method == "HEAD":  # no body will be read: take no slot
        return Response(mimetype="text/event-stream", headers=headers)
    broker = sse.broker()
    try:
        sub = broker.subscribe(orders, client=request.remote_addr or "", statuses=statuses)
    except sse.TooManyFromClient as exc:
        return error(429, f"too many {exc}: close one first")
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
        broker,
        sub,
        events,
        float(cfg.get("SSE_HEARTBEAT_S", HEARTBEAT_S)),
        float(cfg.get("SSE_MAX_S", MAX_STREAM_S)),
    )
    resp = Response(body, mimetype="text/event-stream", headers=headers)
    # The stream's own cleanup runs only once it has started: a client gone before that frees it here.
    resp.call_on_close(lambda: broker.unsubscribe(sub))
    return resp


def _token_in_url() -> Reply | None:
    if "token" not in request.args:
        return None
    return error(
        400,
        f"an order's token does not go in a URL: send it in {staff.ORDER_HEADER} to "
        "POST /api/orders/<order_id>/follow, then open the stream without it",
    )


@bp.post("/orders/<order_id>/follow", doc_ui=False)
def follow(path: OrderRef) -> Reply:
    """Let this browser stream the order's events, shown its token in a header; the session keeps it."""
    if not staff.holds_order(path.order_id):
        return staff.not_yours(path.order_id)
    staff.follow(path.order_id)
    return {"order_id": path.order_id, "following": True}


@bp.get("/events", doc_ui=False)
def all_events(query: Followed) -> Reply:
    """Stream the status events of every order (staff), or of the orders this browser follows."""
    if refused := _token_in_url():
        return refused
    statuses = frozenset(query.status) or None
    if staff.is_staff() and not query.order:
        return _open(None, list, statuses)
    if not query.order:
        return forbidden()
    unfollowed = [order_id for order_id in query.order if not staff.follows(order_id)]
    if unfollowed:
        return error(
            403,
            f"not followed here: {', '.join(unfollowed)}: POST /api/orders/<order_id>/follow "
            f"with the order's token in {staff.ORDER_HEADER} first",
            orders=unfollowed,
        )
    return _open(frozenset(query.order), list, statuses)


@bp.get("/orders/<order_id>/events", doc_ui=False)
def order_events(path: OrderRef) -> Reply:
    """Stream one order's status history so far, then its new status events."""
    if refused := _token_in_url():
        return refused
    if not (staff.holds_order(path.order_id) or staff.follows(path.order_id)):
        return staff.not_yours(path.order_id)

    def history() -> list[dict[str, Any]]:
        record, _ = store.load(gateway(), path.order_id)
        return [event_of(path.order_id, h) for h in record.history] if record else []

    return _open(frozenset({path.order_id}), history)


def push(update: StatusUpdate) -> None:
    """Hand a merged status event to the open streams; a redelivered one too: clients drop it by id."""
    sse.broker().publish(event_of(update.order_id, update))


def init_app(app: Flask) -> None:
    """Give the app its broker of live streams."""
    sse.init_app(app)
