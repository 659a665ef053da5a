"""Generated interleavings of decisions, timeouts, cancels, duplicated and late answers and faults,
each run through the SDK's real executor: after every run, the order's money and stock add up."""

import functools
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pizza_common.contract.menu import price_cents
from pizza_common.contract.models import Order
from pizza_common.contract.statuses import ENDED, OrderStatus
from pizza_common.release import VERSION
from pizza_common.sidecar.dapr_io import DaprUnavailable
from pizza_workflow.checks import CheckKind
from pizza_workflow.ids import CANCEL_EVENT, MANAGER_APPROVAL_EVENT, VALIDATION_EVENT
from pizza_workflow.types import WorkflowInput
from tests.support.engine import Engine
from tests.support.orders import sample_order
from tests.support.shop import Shop

MOVES = st.sampled_from(["approve", "reject", "wait", "late", "twice", "cancel", "cancel", "wait"])
FLAKY = ["take_order", "reserve_ingredients", "charge_payment", "cook_pizza", "deliver_pizza",
         "refund_payment", "release_ingredients", "notify"]  # fmt: skip


@dataclass
class Script:
    """What people and services do, one move each time the workflow could be interrupted."""

    moves: list[str]
    cancel_in_flight: int | None  # the step at which a cancel arrives beside an activity's result
    asked: list[tuple[str, int, bool]] = field(default_factory=list)  # acknowledged decisions
    cancelled: bool = False
    steps: int = 0

    def on_step(self, engine: Engine, idle: bool) -> None:
        self.steps += 1
        if not idle and self.steps == self.cancel_in_flight and not self.cancelled:
            self._cancel(engine)

    def on_idle(self, engine: Engine) -> None:
        stage, attempt = engine.stage(), (engine.custom_status or {}).get("attempt", 0)
        move = self.moves.pop(0) if self.moves else "wait"  # then nobody answers: the deadlines end it
        if move == "cancel" and not self.cancelled:
            self._cancel(engine)
        elif stage == "pending_validation" and move in ("approve", "reject", "twice"):
            # As /validate-pizza does: acknowledged only while the workflow waits for this attempt.
            answer = {"approved": move != "reject", "attempt": attempt}
            for _ in range(2 if move == "twice" else 1):
                engine.raise_event(VALIDATION_EVENT, answer)
            self.asked.append(("validation", attempt, answer["approved"]))
        elif stage == "pending_validation" and move == "late" and attempt > 0:
            engine.raise_event(VALIDATION_EVENT, {"approved": True, "attempt": attempt - 1})
        elif stage == "awaiting_manager_approval" and move in ("approve", "reject", "twice"):
            engine.raise_event(MANAGER_APPROVAL_EVENT, {"approved": move != "reject", "attempt": 0})
            self.asked.append(("manager", 0, move != "reject"))
        # "wait", or a move that does not fit the stage: nobody answers, and the next timer fires.

    def _cancel(self, engine: Engine) -> None:
        self.cancelled = True
        engine.raise_event(CANCEL_EVENT, {"reason": "cancelled by the customer"})


def _flaky(shop: Shop, faults: dict[str, int]) -> None:
    """Make each activity fail (as an outage) the given number of times before it works."""
    for name, count in faults.items():
        real = shop.activities()[name]
        left = {"n": count}

        def flaky(ctx: Any, payload: Any, real: Any = real, left: dict[str, int] = left) -> Any:
            if left["n"]:
                left["n"] -= 1
                raise DaprUnavailable("the service is down")
            return real(ctx, payload)

        # The SDK reads the input's type from the signature, which update_wrapper hands on.
        shop.overrides[name] = functools.update_wrapper(flaky, real, updated=())


def _acted_on(shop: Shop, output: dict[str, Any] | None, kind: str, attempt: int) -> bool | None:
    """Return the decision the workflow acted on for a check, or None if it acted on none."""
    notes = {(status, at) for status, _, at in shop.notes}
    error = (output or {}).get("error") or ""
    if kind == "validation":
        if (OrderStatus.APPROVED, attempt) in notes:
            return True
        if (OrderStatus.REMAKE, attempt + 1) in notes or error.startswith("rejected by quality check"):
            return False
        return None
    if OrderStatus.MANAGER_APPROVED in {status for status, _ in notes}:
        return True
    return False if error == "refused by a manager" else None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(
    moves=st.lists(MOVES, max_size=12),
    cancel_in_flight=st.one_of(st.none(), st.integers(min_value=1, max_value=25)),
    quantity=st.integers(min_value=1, max_value=6),
    declined=st.booleans(),
    stock=st.integers(min_value=0, max_value=8),
    faults=st.dictionaries(st.sampled_from(FLAKY), st.integers(min_value=0, max_value=9), max_size=3),
)
def test_every_run_ends_once_with_money_and_stock_that_add_up(
    moves: list[str],
    cancel_in_flight: int | None,
    quantity: int,
    declined: bool,
    stock: int,
    faults: dict[str, int],
) -> None:
    shop = Shop(stock=stock)
    _flaky(shop, faults)
    order = Order.model_validate(
        sample_order(quantity=quantity, payment_token="tok_chargeDeclined" if declined else "tok_visa")
    )
    engine = Engine(shop.activities())
    engine.start(
        WorkflowInput(
            order=order,
            validation_timeout_s=30,
            approval_timeout_s=20,
            approval_threshold_cents=5000,
            max_remakes=2,
            release=VERSION,
        )
    )
    script = Script(moves=list(moves), cancel_in_flight=cancel_in_flight)
    engine.run(script.on_idle, max_turns=600, on_step=script.on_step)

    # One end, told once: by the delivery service for a delivery, by the workflow otherwise.
    assert engine.status in {"COMPLETED", "FAILED"}
    outcome = engine.output["status"] if engine.output else None
    told = [status for status in shop.statuses() if status in ENDED]
    assert told == ([] if outcome == OrderStatus.DELIVERED else [outcome or "failed"]), (
        told,
        outcome,
        engine.failure,
    )
    # Money kept only for a delivered pizza, and then exactly its price.
    total = price_cents(order.pizza_type, order.size, order.quantity)
    assert shop.charged == (total if outcome == OrderStatus.DELIVERED else 0)
    # No ingredient left held: each reservation consumed by its cooking, or released.
    assert shop.reserved == {}
    # No acknowledged decision lost: each answer given while the workflow waited is the one it acted on.
    timed_out = {(d.check, d.attempt) for d in shop.closed}
    for kind, attempt, approved in script.asked:
        check = CheckKind.QUALITY if kind == "validation" else CheckKind.MANAGER
        assert (check, attempt) not in timed_out, (kind, attempt)
        acted = _acted_on(shop, engine.output, kind, attempt)
        if acted is None:  # the run ended first: only a cancel (or a fault) may have overtaken the answer
            assert script.cancelled or engine.status == "FAILED" or outcome != OrderStatus.DELIVERED
        else:
            assert acted == approved, (kind, attempt, shop.notes, engine.output)
