"""The pizza workflow: take the order, get a manager's approval when it is large, reserve
ingredients and charge payment in parallel, cook (again after a failed quality check), then
deliver. Whatever goes wrong after the charge or the reservation is compensated.

Workflow code is replayed from history, so it only decides: every effect is an activity,
time comes from the context, and logs are skipped while replaying. The steps below read in the
order they run; each returns None to go on, or the Ending. A status the workflow decides is
announced by the step that follows, at its call (`announce`): its activity publishes it first.
"""

import logging
from typing import Any, NamedTuple

from dapr.ext.workflow import DaprWorkflowContext, TaskFailedError, when_all

from pizza_common.contract.inventory import HELD, Reservation, ReservationStatus
from pizza_common.contract.payments import PaymentResult, PaymentStatus
from pizza_common.contract.statuses import OrderStatus, Stage
from pizza_workflow import activities as act
from pizza_workflow.checks import CheckKind, Opened
from pizza_workflow.saga import Cancelled, Run, Steps
from pizza_workflow.types import (
    ChargeInput,
    CookInput,
    DeliverInput,
    ReserveInput,
    StatusNote,
    StepResult,
    WorkflowInput,
)


class Ending(NamedTuple):
    """How the order ends, why, and the statuses it decided on the way that nobody told yet."""

    status: OrderStatus
    reason: str | None
    announce: tuple[StatusNote, ...] = ()


def pizza_workflow(ctx: DaprWorkflowContext, wf_input: WorkflowInput) -> Steps[dict[str, Any]]:
    """Take one order to delivery, or to an outcome that leaves the customer whole."""
    run = Run(ctx, wf_input)
    try:
        return (yield from _order(run))
    except Cancelled:
        return (yield from run.end(OrderStatus.CANCELLED, "cancelled by the customer"))
    except TaskFailedError as exc:
        # Retries are spent: undo what the order holds, say so, then fail with the cause.
        run.log(logging.ERROR, "order %s failed: %s", run.order.order_id, exc)
        yield from run.end(OrderStatus.FAILED, str(exc))
        raise


def _order(run: Run) -> Steps[dict[str, Any]]:
    for step in (_take_order, _manager_approval, _reserve_and_charge, _cook_until_approved, _deliver):
        ending = yield from step(run)
        if ending is not None:
            return (yield from run.end(*ending))
    run.holds_effects = False  # the pizza was delivered: the charge stands
    return (yield from run.finish(OrderStatus.DELIVERED, published=True))


def _take_order(run: Run) -> Steps[Ending | None]:
    """Have the storefront confirm and price the order."""
    run.stage(Stage.STOREFRONT)
    taken = StepResult.model_validate((yield from run.step(act.take_order, run.order)))
    if not taken.ok:
        return Ending(OrderStatus.FAILED, taken.error or taken.status)
    run.stage(Stage.STOREFRONT, total_cents=taken.total_cents)
    return None


def _needs_approval(run: Run) -> bool:
    return (run.progress.total_cents or 0) > run.input.approval_threshold_cents


def _manager_approval(run: Run) -> Steps[Ending | None]:
    """Have a manager approve an order above the threshold, raced against a deadline."""
    if not _needs_approval(run):
        return None
    opened = Opened(check=CheckKind.MANAGER, order=run.order, total_cents=run.progress.total_cents or 0)
    decision = yield from run.ask(opened, run.input.approval_timeout_s)
    if not decision.approved:
        why = "no manager approval in time" if decision.timed_out else "refused by a manager"
        return Ending(OrderStatus.CANCELLED, why)
    return None  # the reservation announces the approval


def _reserve_and_charge(run: Run) -> Steps[Ending | None]:
    """Reserve ingredients and charge payment in parallel; the reservation announces a manager's
    approval, which a large order needed to get here."""
    order, total_cents = run.order, run.progress.total_cents or 0
    run.stage(Stage.PAYMENT_AND_INGREDIENTS)
    run.holds_effects = True
    approved = [run.note(OrderStatus.MANAGER_APPROVED)] if _needs_approval(run) else []
    reserve = ReserveInput(order_id=order.order_id, pizza_type=order.pizza_type, quantity=order.quantity)
    reserve = yield from run.carrying(reserve, announce=approved)
    charge = ChargeInput(order_id=order.order_id, amount_cents=total_cents, payment_token=order.payment_token)
    both = when_all([run.call(act.reserve_ingredients, reserve), run.call(act.charge_payment, charge)])
    held_raw, paid_raw = yield from run.wait(both)
    held, paid = Reservation.model_validate(held_raw), PaymentResult.model_validate(paid_raw)
    run.stage(Stage.PAYMENT_AND_INGREDIENTS, payment=paid.status, inventory=held.status)
    # Cooking announces both (see below); an order that ends here announces the one it got.
    if held.status not in HELD:
        charged = (run.note(OrderStatus.PAYMENT_CHARGED),) if paid.status == PaymentStatus.CHARGED else ()
        return Ending(OrderStatus.OUT_OF_STOCK, held.error or "out of stock", charged)
    if paid.status != PaymentStatus.CHARGED:
        reserved = (run.note(OrderStatus.INGREDIENTS_RESERVED),)
        return Ending(OrderStatus.PAYMENT_DECLINED, paid.error or "payment declined", reserved)
    return None


def _cook_until_approved(run: Run) -> Steps[Ending | None]:
    """Cook, and cook again while the quality check rejects, up to the remake limit."""
    order, decision = run.order, None
    # The first cooking announces what the order holds: it starts only once both are done.
    holds = [run.note(OrderStatus.INGREDIENTS_RESERVED), run.note(OrderStatus.PAYMENT_CHARGED)]
    for attempt in range(run.input.max_remakes + 1):
        if attempt > 0:
            request = ReserveInput(
                order_id=order.order_id, pizza_type=order.pizza_type, quantity=order.quantity, attempt=attempt
            )
            remake = [run.note(OrderStatus.REMAKE, attempt)]
            held = Reservation.model_validate((yield from run.step(act.reserve_ingredients, request, remake)))
            if held.status not in HELD:
                return Ending(OrderStatus.OUT_OF_STOCK, held.error)
        run.stage(Stage.KITCHEN, attempt=attempt, inventory=ReservationStatus.RESERVED)
        cook = CookInput(**order.model_dump(), attempt=attempt, opens_check=run.cooking_opens_check)
        announce = holds if attempt == 0 else []
        cooked = StepResult.model_validate((yield from run.step(act.cook_pizza, cook, announce)))
        if not cooked.ok:
            return Ending(OrderStatus.COOKING_FAILED, cooked.error or cooked.status)
        opened = Opened(check=CheckKind.QUALITY, order=order, attempt=attempt)
        decision = yield from run.ask(
            opened, run.input.validation_timeout_s, inventory=ReservationStatus.CONSUMED
        )
        if decision.approved:
            return None  # delivery announces the approval
    reason = "quality check timed out" if decision and decision.timed_out else "rejected by quality check"
    return Ending(OrderStatus.REJECTED, f"{reason} after {run.input.max_remakes} remakes")


def _deliver(run: Run) -> Steps[Ending | None]:
    """Announce the pizza approved by its quality check, and have delivery bring it."""
    run.stage(Stage.DELIVERY)
    approved = [run.note(OrderStatus.APPROVED, run.progress.attempt)]
    delivery = yield from run.carrying(DeliverInput(**run.order.model_dump()), announce=approved)
    if run.since("1.1.0"):
        # Once out for delivery, no cancel is raced: the customer gets the pizza and is charged.
        delivered = StepResult.model_validate((yield run.call(act.deliver_pizza, delivery)))
    else:
        delivered = StepResult.model_validate((yield from run.step(act.deliver_pizza, delivery)))
    if not delivered.ok:
        return Ending(OrderStatus.DELIVERY_FAILED, delivered.error or delivered.status)
    return None
