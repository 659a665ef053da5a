"""The real workflow through the SDK's executor, replayed in full each turn: what a made-up context hides."""

from typing import Any

from pizza_common.contract.models import Order, OrderRef
from pizza_common.contract.payments import PaymentResult
from pizza_common.release import VERSION
from pizza_common.sidecar.dapr_io import DaprUnavailable
from pizza_workflow.checks import CheckKind
from pizza_workflow.ids import CANCEL_EVENT, VALIDATION_EVENT
from pizza_workflow.types import WorkflowInput
from tests.support.engine import Engine
from tests.support.orders import sample_order
from tests.support.shop import Shop


def _engine(shop: Shop, **order: Any) -> Engine:
    engine = Engine(shop.activities())
    engine.start(
        WorkflowInput(
            order=Order.model_validate(sample_order(**order)),
            validation_timeout_s=30,
            approval_timeout_s=20,
            approval_threshold_cents=10_000,
            max_remakes=2,
            release=VERSION,
        )
    )
    return engine


def test_an_approved_pizza_is_delivered_through_the_real_executor() -> None:
    shop = Shop()

    def approve(engine: Engine) -> None:
        if engine.stage() == "pending_validation":
            engine.raise_event(VALIDATION_EVENT, {"approved": True, "attempt": 0})

    engine = _engine(shop).run(approve)
    assert engine.status == "COMPLETED"
    assert engine.output["status"] == "delivered"
    assert shop.charged == 1800 and shop.refunded == 0
    assert engine.turns > 5


def _answer_once(attempt: int, approved: bool) -> Any:
    """Answer the quality check once, for one attempt only; leave the others to time out."""
    answered: list[int] = []

    def on_idle(engine: Engine) -> None:
        waiting = engine.stage() == "pending_validation" and engine.custom_status.get("attempt", 0) == attempt
        if waiting and not answered:
            answered.append(attempt)
            engine.raise_event(VALIDATION_EVENT, {"approved": approved, "attempt": attempt})

    return on_idle


def test_an_approval_after_a_timed_out_check_is_not_swallowed() -> None:
    """Attempt 0's check times out, the kitchen cooks again, and attempt 1 is approved once: delivered."""
    shop = Shop()
    engine = _engine(shop).run(_answer_once(attempt=1, approved=True))
    assert engine.output["status"] == "delivered", engine.output
    assert [(d.attempt, d.timed_out) for d in shop.closed] == [(0, True)]  # closed: the one that timed out
    assert ("approved", None, 1) in shop.notes
    assert shop.charged == 1800 and shop.refunded == 0


def test_a_refund_that_fails_for_minutes_is_retried_until_it_goes_through() -> None:
    """The storefront is down for longer than the steps' retries last: the refund still happens."""
    shop = Shop()
    failures = {"left": 12}
    refund = shop.refund_payment

    def flaky_refund(ctx: Any, ref: OrderRef) -> PaymentResult:
        if failures["left"]:
            failures["left"] -= 1
            raise DaprUnavailable("storefront down")
        return refund(ctx, ref)

    shop.overrides["refund_payment"] = flaky_refund
    engine = _engine(shop).run(_answer_once(attempt=0, approved=False), max_turns=200)
    # Rejected on every attempt (the first answer, then two timeouts): the charge must come back.
    assert engine.status == "COMPLETED", engine.failure
    assert engine.output["status"] == "rejected"
    assert failures["left"] == 0
    assert (shop.charged, shop.refunded) == (0, 1800)


def test_a_human_check_shows_as_waiting_only_once_it_is_open() -> None:
    """A client that answers the moment it sees the stage must find the check open (it got 409 before)."""
    shop = Shop()
    seen: list[tuple[str, int, list[tuple[str, int]]]] = []

    engine = _engine(shop, quantity=6)
    turn = engine.turn

    def turn_and_look() -> None:  # what a client reads right after a turn, before any activity runs
        turn()
        stage = engine.stage()
        if stage in ("pending_validation", "awaiting_manager_approval"):
            kind = CheckKind.QUALITY if stage == "pending_validation" else CheckKind.MANAGER
            seen.append((kind, engine.custom_status.get("attempt", 0), list(shop.opened)))

    engine.turn = turn_and_look  # type: ignore[method-assign]
    engine.run(_answer_once(attempt=0, approved=True))
    assert engine.output["status"] in ("delivered", "cancelled", "rejected")
    assert seen, "the workflow waited for a person"
    for kind, attempt, opened in seen:
        assert (kind, attempt) in opened, (kind, attempt, opened)


def test_a_cancel_that_reaches_a_pizza_out_for_delivery_is_not_taken() -> None:
    """The route refuses it there; one raised as the stage changed must not refund a delivered pizza."""
    shop = Shop()
    engine = _engine(shop)
    engine.in_flight.add("deliver_pizza")

    def on_step(engine: Engine, idle: bool) -> None:
        if engine.stage() == "pending_validation" and not any(
            e.HasField("eventRaised") for e in engine.history
        ):
            engine.raise_event(VALIDATION_EVENT, {"approved": True, "attempt": 0})
        elif engine.stage() == "delivery" and "deliver_pizza" in engine.in_flight:
            engine.raise_event(CANCEL_EVENT, {"reason": "cancelled by the customer"})
            engine.release("deliver_pizza")

    engine.run(on_step=on_step)
    assert engine.output["status"] == "delivered"
    assert (shop.charged, shop.refunded) == (1800, 0)


def test_an_answer_recorded_as_the_deadline_passed_stands() -> None:
    """The route answered 200 for it: the workflow takes the recorded decision, not its timeout."""
    shop = Shop()
    shop.landed[(CheckKind.QUALITY, 0)] = True
    engine = _engine(shop).run()  # nobody answers through the event: the timer fires first
    assert [(d.attempt, d.timed_out) for d in shop.closed] == [(0, True)]
    assert engine.output["status"] == "delivered"
    assert (shop.charged, shop.refunded) == (1800, 0)
    assert ("approved", None, 0) in shop.notes
