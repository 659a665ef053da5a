"""What each step of the pizza workflow hands on: the payloads, the progress, the statuses and their
errors, the log lines, and the compensations that outlast any fault."""

import logging
from typing import Any

import pytest
from dapr.ext.workflow import TaskFailedError

from pizza_common.contract.inventory import Reservation
from pizza_common.contract.models import Order
from pizza_common.contract.payments import PaymentResult
from pizza_common.sidecar.dapr_io import DaprUnavailable
from pizza_workflow.saga import SERVICE_RETRY
from pizza_workflow.types import StepResult, WorkflowInput
from pizza_workflow.workflows import pizza_workflow
from tests.support.orders import sample_order
from tests.support.shop import Shop
from tests.support.workflow_doubles import FakeContext, run_workflow

QUALITY, MANAGER = "ValidationComplete", "ManagerApproval"


def prepare(
    shop: Shop, *quality: bool, manager: bool | None = None, **fields: Any
) -> tuple[FakeContext, Any]:
    """Return a context with the quality checks' answers in turn (and a manager's), and the input."""
    events: dict[str, list[Any]] = {QUALITY: [{"approved": ok, "attempt": n} for n, ok in enumerate(quality)]}
    if manager is not None:
        events[MANAGER] = [{"approved": manager}]
    wf_input = WorkflowInput(
        order=Order.model_validate(sample_order("o-1", **fields)), validation_timeout_s=30
    )
    return FakeContext(shop.activities(), events=events), wf_input


def order(shop: Shop, *quality: bool, manager: bool | None = None, **fields: Any) -> tuple[Any, FakeContext]:
    """Run one order to its end; return its outcome and its context."""
    ctx, wf_input = prepare(shop, *quality, manager=manager, **fields)
    return run_workflow(pizza_workflow, ctx, wf_input), ctx


def payloads(ctx: FakeContext, activity: str) -> list[Any]:
    return [payload for name, payload in ctx.calls if name == activity]


def failing(times: int, then: Any) -> Any:
    """Return a stand-in activity that faults `times` times, then does what `then` does."""
    left = [times]

    def activity(ctx: Any, payload: Any) -> Any:
        if left[0] > 0:
            left[0] -= 1
            raise DaprUnavailable("sidecar unreachable")
        return then(ctx, payload)

    return activity


def test_a_large_order_hands_its_quantity_price_and_notes_to_every_step() -> None:
    shop = Shop()
    out, ctx = order(shop, False, True, manager=True, quantity=6)
    assert out["status"] == "delivered"
    assert [p["total_cents"] for p in payloads(ctx, "open_check")] == [10_800]  # the manager sees the price
    reserves = payloads(ctx, "reserve_ingredients")
    assert [(r["quantity"], r["attempt"]) for r in reserves] == [(6, 0), (6, 1)]
    assert [[n["status"] for n in r["notes"]] for r in reserves] == [["manager_approved"], ["remake"]]
    assert [c["quantity"] for c in payloads(ctx, "cook_pizza")] == [6, 6]


def test_the_progress_says_what_the_order_holds_at_each_stage() -> None:
    _, ctx = order(Shop(), False, True)
    held = [(p["stage"], p.get("payment"), p.get("inventory")) for p in ctx.progress]
    assert held == [
        ("storefront", None, None),
        ("storefront", None, None),
        ("payment_and_ingredients", None, None),
        ("payment_and_ingredients", "charged", "reserved"),
        ("kitchen", "charged", "reserved"),
        ("pending_validation", "charged", "consumed"),
        ("kitchen", "charged", "reserved"),
        ("pending_validation", "charged", "consumed"),
        ("delivery", "charged", "consumed"),
        ("delivered", "charged", "consumed"),
    ]
    assert ctx.progress[0] == {"stage": "storefront", "attempt": 0}  # unset fields are left out


def test_a_compensated_order_ends_showing_the_refund_and_the_release() -> None:
    out, ctx = order(Shop(), False, False, False)
    assert out["status"] == "rejected"
    assert (ctx.progress[-1]["payment"], ctx.progress[-1]["inventory"]) == ("refunded", "released")


def test_the_ending_shows_as_soon_as_it_is_decided_before_the_compensation() -> None:
    """/cancel-order reads `ending` to answer 200 while the refund is still running."""
    _, ctx = order(Shop(), False, False, False)
    first = next(i for i, p in enumerate(ctx.progress) if "ending" in p)
    assert ctx.progress[first] == {
        "stage": "pending_validation",
        "attempt": 2,
        "total_cents": 1800,
        "payment": "charged",
        "inventory": "consumed",
        "ending": "rejected",
    }
    assert [p["stage"] for p in ctx.progress[first:]] == ["pending_validation", "compensating", "rejected"]
    assert all(p["ending"] == "rejected" for p in ctx.progress[first:])


def test_an_ending_decided_before_the_charge_shows_only_what_is_known() -> None:
    _, ctx = order(Shop(), manager=False, quantity=6)
    known = {"attempt": 0, "total_cents": 10_800, "ending": "cancelled"}  # no payment, no inventory
    assert ctx.progress[-2] == {"stage": "awaiting_manager_approval", **known}
    assert ctx.progress[-1] == {"stage": "cancelled", **known}


def test_each_status_carries_its_error_and_attempt() -> None:
    shop = Shop()
    order(shop, False, False, False)
    assert shop.notes[:2] == [("ingredients_reserved", None, 0), ("payment_charged", None, 0)]
    assert ("remake", None, 2) in shop.notes
    assert shop.notes[-1] == ("rejected", "rejected by quality check after 2 remakes", 0)


@pytest.mark.parametrize(
    ("activity", "answer", "ending"),
    [
        ("take_order", StepResult(ok=False, status="closed"), ("failed", "closed")),
        ("cook_pizza", StepResult(ok=False, status="oven_cold"), ("cooking_failed", "oven_cold")),
        (
            "reserve_ingredients",
            Reservation(order_id="o-1", status="out_of_stock"),
            ("out_of_stock", "out of stock"),
        ),
        (
            "charge_payment",
            PaymentResult(order_id="o-1", status="payment_declined"),
            ("payment_declined", "payment declined"),
        ),
    ],
)
def test_a_refusal_that_gives_no_reason_still_ends_with_one(activity: str, answer: Any, ending: Any) -> None:
    shop = Shop()
    shop.overrides[activity] = lambda _ctx, _payload: answer
    out, _ = order(shop, True)
    assert (out["status"], out["error"]) == ending
    assert shop.notes[-1][:2] == ending


def test_a_refund_of_nothing_is_not_announced() -> None:
    shop = Shop()
    shop.overrides["refund_payment"] = lambda _c, ref: PaymentResult(order_id=ref.order_id, status="refunded")
    out, _ = order(shop, False, False, False)
    assert out["status"] == "rejected"
    assert "payment_refunded" not in shop.statuses()


@pytest.mark.parametrize("activity", ["refund_payment", "release_ingredients", "notify"])
def test_compensating_and_telling_the_end_outlast_the_service_retries(activity: str) -> None:
    shop = Shop()
    shop.overrides[activity] = failing(SERVICE_RETRY.max_number_of_attempts + 1, getattr(shop, activity))
    out, _ = order(shop, False, False, False)
    assert out["status"] == "rejected"
    assert (shop.refunded, shop.reserved) == (1800, {})
    assert shop.statuses()[-1] == "rejected"


def test_an_end_that_cannot_be_told_fails_the_order_compensated_once() -> None:
    shop = Shop()
    shop.overrides["notify"] = failing(10**6, shop.notify)
    ctx, wf_input = prepare(shop, False, False, False)
    with pytest.raises(TaskFailedError):
        run_workflow(pizza_workflow, ctx, wf_input)
    assert shop.refunded == 1800
    assert (ctx.called().count("refund_payment"), ctx.called().count("release_ingredients")) == (1, 1)


def test_a_failed_order_says_why_in_its_status_and_its_log(caplog: pytest.LogCaptureFixture) -> None:
    shop = Shop()
    shop.overrides["deliver_pizza"] = failing(10**6, shop.deliver_pizza)
    with caplog.at_level(logging.INFO, logger="pizza_workflow"), pytest.raises(TaskFailedError) as failed:
        order(shop, True)
    status, error, _ = shop.notes[-1]
    assert (status, error) == ("failed", str(failed.value))
    assert "sidecar unreachable" in str(failed.value)
    said = [r.getMessage() for r in caplog.records]
    assert f"order o-1 failed: {failed.value}" in said
    assert "order o-1: delivery" in said
    assert "order o-1 ended failed" in said
