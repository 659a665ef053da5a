"""Activities: each calls one service through Dapr, or records one fact, first publishing the
statuses the workflow announces with it (`notes`). Safe to run twice: every effect carries an
idempotency key derived from the order and the step, and every status an event id."""

import logging
from typing import Any, TypeVar

from dapr.ext.workflow import WorkflowActivityContext
from pydantic import BaseModel

from pizza_common.contract.inventory import Reservation
from pizza_common.contract.models import Order, OrderRef
from pizza_common.contract.names import DELIVERY_APP, KITCHEN_APP, STOREFRONT_APP
from pizza_common.contract.payments import ChargeRequest, PaymentResult, RefundRequest
from pizza_common.contract.statuses import OrderStatus
from pizza_common.service.settings import retention_s
from pizza_common.sidecar.dapr_io import DaprGateway, ETagMismatch
from pizza_common.stages import publish_status
from pizza_workflow.checks import CHECKS, CheckKind, Decision, Opened, Record
from pizza_workflow.types import ChargeInput, CookInput, DeliverInput, Notes, ReserveInput, StepResult

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
_dapr: DaprGateway | None = None


class ContractError(RuntimeError):
    """A service answered outside its contract: a bug, not an outcome."""


def use_gateway(dapr: DaprGateway) -> None:
    """Give the activities the gateway they call Dapr through."""
    global _dapr
    _dapr = dapr


def _gateway() -> DaprGateway:
    if _dapr is None:
        raise RuntimeError("activities used before use_gateway()")
    return _dapr


def _body(request: BaseModel) -> dict[str, Any]:
    """Return what the service is sent: the request without what it carries for the workflow."""
    return request.model_dump(mode="json", exclude_none=True, exclude={"notes", "opens_check"})


def _announce(carried: Notes) -> None:
    """Publish the statuses the workflow announced with this step, in order."""
    for note in carried.notes:
        publish_status(_gateway(), note.order, note.status, note.error, attempt=note.attempt)


def _invoke(
    app_id: str, method: str, request: BaseModel, answer: type[M], dapr: DaprGateway | None = None
) -> M:
    # 5xx and transport faults raise DaprUnavailable: the retry policy takes them.
    # A 4xx is the service refusing: a business outcome, read from the body, never retried.
    reply = (dapr or _gateway()).invoke(app_id, method, _body(request))
    try:
        return answer.model_validate(reply.body)
    except ValueError as exc:
        raise ContractError(f"{app_id}/{method} answered {reply.status_code}: {reply.body}") from exc


def _step(app_id: str, method: str, order: BaseModel) -> StepResult:
    reply = _gateway().invoke(app_id, method, _body(order))
    body: dict[str, Any] = reply.body if isinstance(reply.body, dict) else {}
    return StepResult(
        ok=reply.ok,
        status=str(body.get("status", "unknown")),
        error=body.get("error"),
        total_cents=body.get("total_cents"),
    )


def take_order(ctx: WorkflowActivityContext, order: Order) -> StepResult:
    """Have the storefront validate, price and confirm the order."""
    return _step(STOREFRONT_APP, "order", order)


def reserve_ingredients(ctx: WorkflowActivityContext, request: ReserveInput) -> Reservation:
    """Set the ingredients of one attempt aside in the kitchen (keyed by order and attempt)."""
    _announce(request)
    return _invoke(KITCHEN_APP, "reserve", request, Reservation)


def charge_payment(ctx: WorkflowActivityContext, charge: ChargeInput) -> PaymentResult:
    """Charge the customer once: the key makes a retried charge return the first result."""
    request = ChargeRequest(**charge.model_dump(), idempotency_key=f"{charge.order_id}:charge")
    return _invoke(STOREFRONT_APP, "pay", request, PaymentResult)


def cook_pizza(ctx: WorkflowActivityContext, request: CookInput) -> StepResult:
    """Have the kitchen cook one attempt, consuming its reserved ingredients (and open the quality
    check of what it cooked, when the workflow says so: release 1.0.0's way)."""
    _announce(request)
    cooked = _step(KITCHEN_APP, "cook", request)
    if cooked.ok and request.opens_check:
        order = Order.model_validate(request.model_dump(include=set(Order.model_fields)))
        _open(Opened(check=CheckKind.QUALITY, order=order, attempt=request.attempt))
    return cooked


def deliver_pizza(ctx: WorkflowActivityContext, order: DeliverInput) -> StepResult:
    """Have delivery bring the pizza to the customer."""
    _announce(order)
    return _step(DELIVERY_APP, "deliver", order)


def refund_payment(ctx: WorkflowActivityContext, ref: OrderRef) -> PaymentResult:
    """Compensate: refund the order's charge, if any; later charges for it are refused."""
    return refund(ref)


def release_ingredients(ctx: WorkflowActivityContext, ref: OrderRef) -> Reservation:
    """Compensate: give back what the order holds; later reservations for it are refused."""
    return release(ref)


def refund(ref: OrderRef, dapr: DaprGateway | None = None) -> PaymentResult:
    """Refund the order's charge under its one refund key (the workflow's and the sweep's)."""
    request = RefundRequest(order_id=ref.order_id, idempotency_key=f"{ref.order_id}:refund")
    return _invoke(STOREFRONT_APP, "refund", request, PaymentResult, dapr)


def release(ref: OrderRef, dapr: DaprGateway | None = None) -> Reservation:
    """Give back every ingredient the order holds in the kitchen."""
    return _invoke(KITCHEN_APP, "release", ref, Reservation, dapr)


def open_check(ctx: WorkflowActivityContext, opened: Opened) -> None:
    """Record that the order waits on a person for this check (this attempt), and tell the customer."""
    _open(opened)


def _open(opened: Opened) -> None:
    check = CHECKS[opened.check]
    key = check.key(opened.order.order_id)
    value, etag = _gateway().get_state(key)
    # A retried activity must not reopen a decision already taken for this attempt.
    if value is None or Record.model_validate(value).attempt < opened.attempt:
        record = Record(order_id=opened.order.order_id, status=check.waiting, attempt=opened.attempt)
        try:
            value_json, ttl_s = record.model_dump(mode="json"), retention_s()
            _gateway().save_state(key, value_json, etag, create=value is None, ttl_s=ttl_s)
        except ETagMismatch:
            log.info("order %s: %s already opened", opened.order.order_id, check.what)
    publish_status(_gateway(), opened.order, check.waiting, attempt=opened.attempt)


def close_check(ctx: WorkflowActivityContext, decision: Decision) -> Decision:
    """Record a check that nobody answered in time, unless a decision landed first; return the
    decision that stands (the route answered 200 for one that landed first)."""
    check = CHECKS[decision.check]
    key = check.key(decision.order_id)
    value, etag = _gateway().get_state(key)
    if value is None:
        return decision
    record = Record.model_validate(value)
    if record.attempt != decision.attempt:
        return decision
    if record.status != check.waiting:
        return decision.model_copy(update={"approved": record.approved, "timed_out": record.timed_out})
    closed = record.model_copy(update={"status": OrderStatus.REJECTED, "timed_out": True})
    _gateway().save_state(key, closed.model_dump(mode="json"), etag, ttl_s=retention_s())
    return decision


def notify(ctx: WorkflowActivityContext, notes: Notes) -> None:
    """Tell the customer how the order ended, or (release 1.1.0) the statuses the workflow decided."""
    _announce(notes)


ALL = (
    take_order,
    reserve_ingredients,
    charge_payment,
    cook_pizza,
    deliver_pizza,
    refund_payment,
    release_ingredients,
    open_check,
    close_check,
    notify,
)
