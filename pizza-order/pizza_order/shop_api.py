"""The shop page's API: what the page asks of the other services, relayed through Dapr."""

import secrets
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlencode

from flask import jsonify, request
from flask_openapi3 import APIBlueprint
from pydantic import StrictBool

from pizza_common.auth.staff_guard import forbidden
from pizza_common.contract.models import Contract, Order, OrderId, OrderRef, OrdersQuery
from pizza_common.contract.names import STOREFRONT_APP, WORKFLOW_APP
from pizza_common.service.web import Reply, error
from pizza_common.sidecar.dapr_io import gateway
from pizza_order import forward, journey, placing, staff, store
from pizza_order.live import event_of

bp = APIBlueprint("shop", __name__, url_prefix="/api")
# Which workflow method each button of the orders list calls.
ACTIONS = {"pause": "pause-order", "resume": "resume-order", "cancel": "cancel-order"}


class NewOrder(Order):
    """An order from the page or the terminal: the shop picks an id when none is given."""

    # Narrowing a required field to an optional one is what this model is for.
    order_id: OrderId | None = None  # type: ignore[assignment]


class Answer(Contract):
    approved: StrictBool


class OrderAction(OrderRef):
    action: Literal["pause", "resume", "cancel"]


def new_order_id() -> str:
    """Return a fresh, readable order id: the time of day and a random suffix."""
    return f"{datetime.now(UTC):%H%M%S}-{secrets.token_hex(2)}"


@bp.get("/menu")
def menu() -> Reply:
    """Return the storefront's menu."""
    return forward.get(STOREFRONT_APP, "menu")


@bp.get("/journey")
def stages() -> Reply:
    """Return the steps of an order, the statuses that end it and the customer's messages."""
    return journey.view()


def _key_problem(problem: str) -> Reply:
    field = placing.HEADER
    return error(422, f"invalid request: {field}", problems=[{"field": field, "problem": problem}])


def _placed(order_id: str, answer: dict[str, Any]) -> Reply:
    staff.follow(order_id)  # the browser that placed it may stream it
    return jsonify({**answer, "order_token": staff.order_token(order_id)}), 202


@bp.post("/orders")
def place_order(body: NewOrder) -> Reply:
    """Start an order's workflow; 202 with its id and the customer's token to follow it. With an
    Idempotency-Key, a retry answers the first order again and starts nothing more."""
    data = body.model_dump(mode="json", exclude_none=True)
    key = request.headers.get(placing.HEADER)
    if key is None:
        data.setdefault("order_id", new_order_id())
        answer = gateway().invoke(WORKFLOW_APP, "start-order", data, staff.headers())
        return _placed(data["order_id"], answer.body) if answer.status_code == 202 else forward.relay(answer)
    if not placing.KEY_PATTERN.fullmatch(key):
        return _key_problem(placing.KEY_RULE)
    try:
        placement, first = placing.claim(gateway(), key, data, data.get("order_id") or new_order_id())
    except placing.KeyReused:
        return _key_problem("sent before with a different order: send a new key for a new order")
    order_id = placement.order_id
    answer = gateway().invoke(WORKFLOW_APP, "start-order", {**data, "order_id": order_id}, staff.headers())
    if answer.status_code == 202:
        return _placed(order_id, answer.body)
    # An id the shop picked is known to this key alone: taken, it was taken by a request with this key
    # (an earlier one, or one sent at the same time that got there first).
    if answer.status_code == 409 and (not first or "order_id" not in data):
        return _placed(order_id, {"order_id": order_id, "status": "started", "repeated": True})
    if first:  # refused: the key may come again with the order corrected
        placing.release(gateway(), key)
    return forward.relay(answer)


@bp.get("/orders")
@staff.staff_only
def list_orders(query: OrdersQuery) -> Reply:
    """Return a page of the orders' workflows, by order id, optionally at some runtime statuses."""
    return forward.get(WORKFLOW_APP, f"orders?{urlencode(query.model_dump(exclude_none=True), doseq=True)}")


@bp.get("/orders/<order_id>")
def order_status(path: OrderRef) -> Reply:
    """Return the order's workflow status with the status history pizza-order keeps."""
    if not staff.holds_order(path.order_id):
        return staff.not_yours(path.order_id)
    answer = gateway().invoke_get(WORKFLOW_APP, f"get-status/{path.order_id}")
    record, _ = store.load(gateway(), path.order_id) if answer.ok else (None, None)
    if record is None:
        return forward.relay(answer)
    history = [event_of(path.order_id, h) for h in record.history]
    return jsonify({**answer.body, "status": record.status, "history": history})


@bp.post("/orders/<order_id>/validate")
@staff.staff_only
def validate(path: OrderRef, body: Answer) -> Reply:
    """Record the kitchen's quality check of the order's pizza."""
    return forward.post(WORKFLOW_APP, "validate-pizza", {"order_id": path.order_id, **body.model_dump()})


@bp.post("/orders/<order_id>/approve")
@staff.staff_only
def approve(path: OrderRef, body: Answer) -> Reply:
    """Record a manager's decision on a large order."""
    return forward.post(WORKFLOW_APP, "approve-order", {"order_id": path.order_id, **body.model_dump()})


@bp.post("/orders/<order_id>/<action>")
def steer(path: OrderAction) -> Reply:
    """Pause or resume an order (staff), or cancel it (staff, or its customer)."""
    if path.action != "cancel" and not staff.is_staff():
        return forbidden()
    if not staff.holds_order(path.order_id):
        return staff.not_yours(path.order_id)
    return forward.post(WORKFLOW_APP, ACTIONS[path.action], {"order_id": path.order_id})
