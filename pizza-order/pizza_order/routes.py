"""Routes of pizza-order: orders by id and the orders topic subscription."""

import logging

from flask_openapi3 import APIBlueprint
from pydantic import BaseModel, ValidationError

from pizza_common.contract.models import Order, OrderRef, StatusUpdate
from pizza_common.contract.names import ORDERS_SUB_ROUTE
from pizza_common.contract.statuses import OrderStatus
from pizza_common.service.web import Reply, dapr_only, error
from pizza_common.sidecar.dapr_io import DaprUnavailable, ETagMismatch, gateway
from pizza_order import live, staff, store
from pizza_order.records import OrderRecord

log = logging.getLogger(__name__)
bp = APIBlueprint("orders", __name__)


class CloudEvent(BaseModel):
    """The envelope Dapr delivers; only `data` matters here."""

    id: str | None = None
    data: object = None


@bp.post("/order", responses={201: OrderRecord})
@staff.staff_only
def create_order(body: Order) -> Reply:
    """Store a new order at `received`; 409 if the id is taken."""
    if body.status not in (None, OrderStatus.RECEIVED) or body.error is not None:
        problem = "set by the shop as the order goes: a new order starts at received"
        fields = [f for f in ("status", "error") if getattr(body, f) not in (None, OrderStatus.RECEIVED)]
        problems = [{"field": field, "problem": problem} for field in fields]
        return error(422, f"invalid request: {', '.join(fields)}", problems=problems)
    try:
        record = store.create(gateway(), body)
    except store.OrderExists as exc:
        return error(409, f"order {body.order_id} exists", status=exc.record.status)
    return record.model_dump(mode="json"), 201


@bp.get("/order/<order_id>", responses={200: OrderRecord})
def get_order(path: OrderRef) -> Reply:
    """Return an order with its status history: to staff, or to its customer (the order's token)."""
    if not staff.holds_order(path.order_id):
        return staff.not_yours(path.order_id)
    record, _ = store.load(gateway(), path.order_id)
    if record is None:
        return error(404, f"order {path.order_id} not found")
    return record.model_dump(mode="json")


@bp.delete("/order/<order_id>")
@staff.staff_only
def delete_order(path: OrderRef) -> Reply:
    """Delete an order."""
    record, etag = store.load(gateway(), path.order_id)
    if record is None:
        return error(404, f"order {path.order_id} not found")
    try:
        gateway().delete_state(store.order_key(path.order_id), etag)
    except ETagMismatch:  # a status update landed between the read and the delete: keep it
        return error(409, f"order {path.order_id} changed while it was being deleted: try again")
    return {"order_id": path.order_id, "deleted": True}


@bp.post(ORDERS_SUB_ROUTE)
@dapr_only
def on_status(body: CloudEvent) -> Reply:
    """Merge a status update from the orders topic into the stored order."""
    try:
        update = StatusUpdate.model_validate(body.data)
    except ValidationError as exc:
        # Redelivering a malformed event cannot fix it: drop it, loudly.
        log.warning("dropping event %s: %s", body.id, exc.errors(include_url=False))
        return {"status": "DROP"}
    try:
        store.apply_update(gateway(), update)
    except DaprUnavailable as exc:  # the sidecar, or every write lost its race (StateBusy)
        log.warning("event %s for order %s: %s; asking for redelivery", body.id, update.order_id, exc)
        return {"status": "RETRY"}
    live.push(update)
    return {"status": "SUCCESS"}
