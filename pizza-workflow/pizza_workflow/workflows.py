"""The pizza workflow: take the order, get a manager's approval when it is large, reserve
ingredients and charge payment in parallel, cook (again after a failed quality check), then
deliver. Whatever goes wrong after the charge or the reservation is compensated.

Workflow code is replayed from history, so it only decides: every effect is an activity,
time comes from the context, and logs are skipped while replaying. The steps below read in the
order they run; each returns None to go on, or the status and reason the order ends with.
"""

import logging
from typing import Any

from dapr.ext.workflow import DaprWorkflowContext, TaskFailedError, when_all

from pizza_common.contract.inventory import HELD, Reservation, ReservationStatus
from pizza_common.contract.payments import PaymentResult, PaymentStatus
from pizza_common.contract.statuses import OrderStatus, Stage
from pizza_workflow import activities as act
from pizza_workflow.checks import CheckKind, Opened
from pizza_workflow.saga import Cancelled, Run, Steps
from pizza_workflow.types import ChargeInput, CookInput, DeliverInput, ReserveInput, StepResult, WorkflowInput

Ending = tuple[OrderStatus, str | None] | None


def pizza_workflow(ctx: DaprWorkflowContext, wf_input: WorkflowInput) -> Steps[dict[str, Any]]:
    """Take one order to delivery, or to an outcome that leaves the customer whole."""
    run = Run(ctx, wf_input)
    try:
        return (yield from _order(run))
    except Cancelled:
        run.heading_to(OrderStatus.CANCELLED)
        yield from run.compensate()
        return (yield from run.finish(OrderStatus.CANCELLED, "cancelled by the customer"))
    except TaskFailedError as exc:
        # Retries are spent: undo what the order holds, say so, then fail with the cause.
        run.log(logging.ERROR, "order %s failed: %s", run.order.order_id, exc)
        run.heading_to(OrderStatus.FAILED)
        yield from run.compensate()
        yield from run.finish(OrderStatus.FAILED, str(exc))
        raise


def _order(run: Run) -> Steps[dict[str, Any]]:
    for step in (_take_order, _manager_approval, _reserve_and_charge, _cook_until_approved, _deliver):
        ending = yield from step(run)
        if ending is not None:
            run.heading_to(ending[0])
            yield from run.compensate()
            return (yield from run.finish(*ending))
    run.holds_effects = False  # the pizza was delivered: the charge stands
    return (yield from run.finish(OrderStatus.DELIVERED, published=True))


def _take_order(run: Run) -> Steps[Ending]:
    """Have the storefront confirm and price the order."""
    run.stage(Stage.STOREFRONT)
    taken = StepResult.model_validate((yield from run.step(act.take_order, run.order)))
    if not taken.ok:
        return OrderStatus.FAILED, taken.error or taken.status
    run.stage(Stage.STOREFRONT, total_cents=taken.total_cents)
    return None


def _manager_approval(run: Run) -> Steps[Ending]:
    """Have a manager approve an order above the threshold, raced against a deadline."""
    total_cents = run.progress.total_cents or 0
    if total_cents <= run.input.approval_threshold_cents:
        return None
    opened = Opened(check=CheckKind.MANAGER, order=run.order, total_cents=total_cents)
    decision = yield from run.ask(opened, run.input.approval_timeout_s)
    if not decision.approved:
        why = "no manager approval in time" if decision.timed_out else "refused by a manager"
        return OrderStatus.CANCELLED, why
    yield from run.tell(OrderStatus.MANAGER_APPROVED)
    return None


def _reserve_and_charge(run: Run) -> Steps[Ending]:
    """Reserve ingredients and charge payment in parallel."""
    order, total_cents = run.order, run.progress.total_cents or 0
    run.stage(Stage.PAYMENT_AND_INGREDIENTS)
    run.holds_effects = True
    reserve = ReserveInput(order_id=order.order_id, pizza_type=order.pizza_type, quantity=order.quantity)
    charge = ChargeInput(order_id=order.order_id, amount_cents=total_cents, payment_token=order.payment_token)
    both = when_all([run.call(act.reserve_ingredients, reserve), run.call(act.charge_payment, charge)])
    held_raw, paid_raw = yield from run.wait(both)
    held, paid = Reservation.model_validate(held_raw), PaymentResult.model_validate(paid_raw)
    run.stage(Stage.PAYMENT_AND_INGREDIENTS, payment=paid.status, inventory=held.status)
    reserved = [OrderStatus.INGREDIENTS_RESERVED] if held.status in HELD else []
    charged = [OrderStatus.PAYMENT_CHARGED] if paid.status == PaymentStatus.CHARGED else []
    yield from run.tell(*reserved, *charged)
    if held.status not in HELD:
        return OrderStatus.OUT_OF_STOCK, held.error or "out of stock"
    if paid.status != PaymentStatus.CHARGED:
        return OrderStatus.PAYMENT_DECLINED, paid.error or "payment declined"
    return None


def _cook_until_approved(run: Run) -> Steps[Ending]:
    """Cook, and cook again while the quality check rejects, up to the remake limit."""
    order, decision = run.order, None
    for attempt in range(run.input.max_remakes + 1):
        if attempt > 0:
            yield from run.tell(OrderStatus.REMAKE, attempt=attempt)
            request = ReserveInput(
                order_id=order.order_id, pizza_type=order.pizza_type, quantity=order.quantity, attempt=attempt
            )
            held = Reservation.model_validate((yield from run.step(act.reserve_ingredients, request)))
            if held.status not in HELD:
                return OrderStatus.OUT_OF_STOCK, held.error
        run.stage(Stage.KITCHEN, attempt=attempt, inventory=ReservationStatus.RESERVED)
        # Release 1.0.0's cooking opened the quality check of what it cooked.
        cook = CookInput(**order.model_dump(), attempt=attempt, opens_check=not run.since("1.1.0"))
        cooked = StepResult.model_validate((yield from run.step(act.cook_pizza, cook)))
        if not cooked.ok:
            return OrderStatus.COOKING_FAILED, cooked.error or cooked.status
        opened = Opened(check=CheckKind.QUALITY, order=order, attempt=attempt)
        decision = yield from run.ask(
            opened, run.input.validation_timeout_s, inventory=ReservationStatus.CONSUMED
        )
        if decision.approved:
            yield from run.tell(OrderStatus.APPROVED, attempt=attempt)
            return None
    reason = "quality check timed out" if decision and decision.timed_out else "rejected by quality check"
    return OrderStatus.REJECTED, f"{reason} after {run.input.max_remakes} remakes"


def _deliver(run: Run) -> Steps[Ending]:
    """Have delivery bring the pizza."""
    run.stage(Stage.DELIVERY)
    delivery = DeliverInput(**run.order.model_dump())
    if run.since("1.1.0"):
        # Once out for delivery, no cancel is raced: the customer gets the pizza and is charged.
        delivered = StepResult.model_validate((yield run.call(act.deliver_pizza, delivery)))
    else:
        delivered = StepResult.model_validate((yield from run.step(act.deliver_pizza, delivery)))
    if not delivered.ok:
        return OrderStatus.DELIVERY_FAILED, delivered.error or delivered.status
    return None
