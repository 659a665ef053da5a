"""Every branch of the pizza workflow, on stand-in activities registered under the real names."""

import logging
from datetime import timedelta
from typing import Any

import pytest
from dapr.ext.workflow import TaskFailedError

from pizza_common.contract.models import Order
from pizza_common.release import VERSION
from pizza_common.sidecar.dapr_io import DaprUnavailable
from pizza_workflow.checks import CheckKind
from pizza_workflow.saga import SERVICE_RETRY
from pizza_workflow.types import StepResult, WorkflowInput
from pizza_workflow.workflows import pizza_workflow
from tests.support.orders import sample_order
from tests.support.shop import Shop
from tests.support.workflow_doubles import FakeContext, run_workflow

OK = {"approved": True}
NO = {"approved": False}


def start(
    shop: Shop,
    events: dict[str, list[Any]] | None = None,
    threshold: int = 10_000,
    release: str = VERSION,
    **order: Any,
) -> tuple[Any, FakeContext]:
    ctx = FakeContext(shop.activities(), events=events or {})
    wf_input = WorkflowInput(
        order=Order.model_validate(sample_order(**order)),
        validation_timeout_s=30,
        approval_timeout_s=20,
        approval_threshold_cents=threshold,
        max_remakes=2,
        release=release,
    )
    return run_workflow(pizza_workflow, ctx, wf_input), ctx


def approved(*answers: dict[str, Any]) -> dict[str, list[Any]]:
    return {"ValidationComplete": list(answers)}


def test_approved_pizza_is_delivered_and_paid_once() -> None:
    shop = Shop()
    out, ctx = start(shop, approved(OK))
    assert out["status"] == "delivered"
    assert out["total_cents"] == 1800
    assert shop.charged == 1800
    assert shop.refunded == 0
    assert shop.statuses() == ["ingredients_reserved", "payment_charged", "approved"]
    assert ctx.stages[-3:] == ["pending_validation", "delivery", "delivered"]
    assert ctx.called().index("cook_pizza") > ctx.called().index("charge_payment")


def announced(ctx: FakeContext) -> list[tuple[str, list[str]]]:
    return [(name, [n["status"] for n in args.get("notes", [])]) for name, args in ctx.calls]


def test_each_status_the_workflow_decides_is_announced_by_the_step_that_follows() -> None:
    _, ctx = start(Shop(), approved(OK))
    assert announced(ctx) == [
        ("take_order", []),
        ("reserve_ingredients", []),
        ("charge_payment", []),
        ("cook_pizza", ["ingredients_reserved", "payment_charged"]),
        ("open_check", []),  # the quality check, a step of its own
        ("deliver_pizza", ["approved"]),
    ]
    assert [args["opens_check"] for name, args in ctx.calls if name == "cook_pizza"] == [False]


def test_a_managers_approval_and_a_remake_are_announced_by_the_reservation_that_follows() -> None:
    answers = approved({"approved": False, "attempt": 0}, {"approved": True, "attempt": 1})
    _, ctx = start(Shop(), {**answers, "ManagerApproval": [OK]}, threshold=1000)
    reservations = [steps for name, steps in announced(ctx) if name == "reserve_ingredients"]
    assert reservations == [["manager_approved"], ["remake"]]
    assert "notify" not in ctx.called()


def test_release_1_1_0_orders_keep_eight_activities_a_notify_where_it_decides() -> None:
    """Its histories replay only if it schedules what it did: a notify step for each decision."""
    _, ctx = start(Shop(), approved(OK), release="1.1.0")
    assert announced(ctx) == [
        ("take_order", []),
        ("reserve_ingredients", []),
        ("charge_payment", []),
        ("notify", ["ingredients_reserved", "payment_charged"]),
        ("cook_pizza", []),
        ("open_check", []),
        ("notify", ["approved"]),
        ("deliver_pizza", []),
    ]


def test_release_1_0_0_orders_keep_five_activities_their_statuses_riding_on_the_next_step() -> None:
    """Its histories replay only if it schedules what it did: cooking opens the check, no notify."""
    _, ctx = start(Shop(), approved(OK), release="1.0.0")
    assert announced(ctx) == [
        ("take_order", []),
        ("reserve_ingredients", []),
        ("charge_payment", []),
        ("cook_pizza", ["ingredients_reserved", "payment_charged"]),
        ("deliver_pizza", ["approved"]),
    ]


def test_an_ending_tells_its_statuses_in_one_notify_in_order() -> None:
    shop = Shop()
    _, ctx = start(shop, approved(*[{"approved": False, "attempt": a} for a in range(3)]))
    last = [args for name, args in ctx.calls if name == "notify"][-1]
    assert [n["status"] for n in last["notes"]] == ["payment_refunded", "rejected"]
    assert shop.statuses()[-2:] == ["payment_refunded", "rejected"]


def test_reserve_and_charge_are_scheduled_together_before_cooking() -> None:
    _, ctx = start(Shop(), approved(OK))
    order = [name for name in ctx.called() if name != "notify"]
    assert order[:4] == ["take_order", "reserve_ingredients", "charge_payment", "cook_pizza"]


def test_a_rejected_pizza_is_cooked_again_then_delivered() -> None:
    shop = Shop()
    out, ctx = start(shop, approved({"approved": False, "attempt": 0}, {"approved": True, "attempt": 1}))
    assert out["status"] == "delivered"
    assert [a["attempt"] for n, a in ctx.calls if n == "cook_pizza"] == [0, 1]
    assert [a["attempt"] for n, a in ctx.calls if n == "reserve_ingredients"] == [0, 1]
    assert ("remake", None, 1) in shop.notes
    assert shop.opened == [(CheckKind.QUALITY, 0), (CheckKind.QUALITY, 1)]
    assert shop.closed == []  # both answered: nothing to close


def test_a_late_answer_for_an_earlier_attempt_is_ignored() -> None:
    # The first pizza's rejection, sent twice: the copy arrives while the remade pizza waits.
    late = {"approved": False, "attempt": 0}
    out, ctx = start(Shop(), approved(late, late, {"approved": True, "attempt": 1}))
    assert out["status"] == "delivered"
    assert [a["attempt"] for n, a in ctx.calls if n == "cook_pizza"] == [0, 1]  # not remade again


def test_remakes_exhausted_cancels_and_compensates() -> None:
    shop = Shop()
    out, ctx = start(shop, approved(*[{"approved": False, "attempt": a} for a in range(3)]))
    assert out["status"] == "rejected"
    assert out["error"] == "rejected by quality check after 2 remakes"
    assert ctx.called().count("cook_pizza") == 3
    assert shop.refunded == 1800
    assert shop.charged == 0
    assert "deliver_pizza" not in ctx.called()
    assert shop.statuses()[-2:] == ["payment_refunded", "rejected"]


def test_no_quality_check_in_time_counts_as_rejections() -> None:
    shop = Shop()
    out, _ = start(shop)
    assert (out["status"], out["error"]) == ("rejected", "quality check timed out after 2 remakes")
    assert [(d.check, d.attempt, d.timed_out) for d in shop.closed] == [
        (CheckKind.QUALITY, n, True) for n in range(3)
    ]
    assert shop.refunded == 1800


@pytest.mark.parametrize(
    ("answer", "status", "error"),
    [
        (OK, "delivered", None),
        (NO, "cancelled", "refused by a manager"),
        (None, "cancelled", "no manager approval in time"),
    ],
)
def test_large_orders_need_a_manager(answer: dict[str, Any] | None, status: str, error: str | None) -> None:
    shop = Shop()
    events = approved(OK) | ({"ManagerApproval": [answer]} if answer else {})
    out, ctx = start(shop, events, quantity=6)  # 6 large pepperoni: 108.00 USD
    assert (out["status"], out["error"]) == (status, error)
    assert shop.opened[0] == (CheckKind.MANAGER, 0)
    if status == "cancelled":
        assert "charge_payment" not in ctx.called()
        assert "refund_payment" not in ctx.called()
    else:
        assert "manager_approved" in shop.statuses()
        assert shop.charged == 10_800


def test_small_orders_need_no_manager() -> None:
    shop = Shop()
    start(shop, approved(OK))
    assert (CheckKind.MANAGER, 0) not in shop.opened


RELEASES = ("1.0.0", "1.1.0", VERSION)


@pytest.mark.parametrize("release", RELEASES)
def test_out_of_stock_refunds_the_parallel_charge_and_tells_it_was_taken(release: str) -> None:
    shop = Shop(stock=0)
    out, ctx = start(shop, approved(OK), release=release)
    assert (out["status"], out["error"]) == ("out_of_stock", "not enough dough")
    assert shop.refunded == 1800
    assert "cook_pizza" not in ctx.called()
    assert shop.statuses() == ["payment_charged", "payment_refunded", "out_of_stock"]


@pytest.mark.parametrize("release", RELEASES)
def test_a_declined_payment_releases_the_parallel_reservation_and_tells_it_was_held(release: str) -> None:
    shop = Shop()
    out, _ = start(shop, approved(OK), release=release, payment_token="tok_chargeDeclined")
    assert (out["status"], out["error"]) == ("payment_declined", "card declined")
    assert shop.released == [{"dough": 1, "tomato_sauce": 1, "mozzarella": 1, "pepperoni": 1}]
    assert shop.refunded == 0
    assert shop.statuses() == ["ingredients_reserved", "ingredients_released", "payment_declined"]


@pytest.mark.parametrize("release", RELEASES)
def test_a_remake_short_of_stock_ends_out_of_stock_with_the_kitchens_reason(release: str) -> None:
    shop = Shop(stock=1)
    out, _ = start(shop, approved({"approved": False, "attempt": 0}), release=release)
    assert (out["status"], out["error"]) == ("out_of_stock", "not enough dough")
    assert shop.refunded == 1800
    assert shop.notes == [
        ("ingredients_reserved", None, 0),
        ("payment_charged", None, 0),
        ("remake", None, 1),
        ("payment_refunded", None, 0),
        ("out_of_stock", "not enough dough", 0),
    ]


def test_a_delivery_refusal_refunds() -> None:
    shop = Shop()
    shop.overrides["deliver_pizza"] = lambda _c, _o: StepResult(
        ok=False, status="delivery_failed", error="no road"
    )
    out, _ = start(shop, approved(OK))
    assert (out["status"], out["error"]) == ("delivery_failed", "no road")
    assert shop.refunded == 1800


def test_delivery_failing_after_retries_compensates_and_fails() -> None:
    shop = Shop()

    def down(_ctx: Any, _order: Any) -> StepResult:
        raise DaprUnavailable("delivery sidecar unreachable")

    shop.overrides["deliver_pizza"] = down
    with pytest.raises(TaskFailedError, match="delivery sidecar unreachable"):
        start(shop, approved(OK))
    assert shop.refunded == 1800
    assert shop.statuses()[-2:] == ["payment_refunded", "failed"]


def test_transient_faults_are_retried_until_they_pass() -> None:
    shop = Shop()
    faults = iter([DaprUnavailable("kitchen 503"), DaprUnavailable("kitchen 503")])

    def flaky(ctx: Any, req: Any) -> StepResult:
        fault = next(faults, None)
        if fault:
            raise fault
        return shop.cook_pizza(ctx, req)

    shop.overrides["cook_pizza"] = flaky
    out, ctx = start(shop, approved(OK))
    assert out["status"] == "delivered"
    assert ctx.called().count("cook_pizza") == 3
    assert SERVICE_RETRY.max_number_of_attempts > 3


@pytest.mark.parametrize(
    ("cancel_at", "holds"),
    [
        ("take_order", False),
        ("charge_payment", True),
        ("cook_pizza", True),
        ("ValidationComplete", True),
    ],
)
def test_cancel_at_any_stage_leaves_no_charge_and_no_reservation(cancel_at: str, holds: bool) -> None:
    _cancelled_at(cancel_at, holds, release=VERSION)


def test_release_1_0_0_orders_still_take_a_cancel_during_delivery() -> None:
    """An order that replays 1.0.0's history took the cancel there: its replay must do the same."""
    _cancelled_at("deliver_pizza", holds=True, release="1.0.0")


def _cancelled_at(cancel_at: str, holds: bool, release: str) -> None:
    shop = Shop()
    ctx = FakeContext(
        shop.activities(),
        events=approved(OK),
        cancel_at=cancel_at,
        timers_fire=cancel_at != "ValidationComplete",
    )
    order = Order.model_validate(sample_order())
    wf_input = WorkflowInput(order=order, validation_timeout_s=30, release=release)
    out = run_workflow(pizza_workflow, ctx, wf_input)
    assert (out["status"], out["error"]) == ("cancelled", "cancelled by the customer")
    assert shop.charged == 0
    assert shop.reserved == {}
    assert ("refund_payment" in ctx.called()) == holds
    assert ("release_ingredients" in ctx.called()) == holds
    assert shop.statuses()[-1] == "cancelled"


def test_replays_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    wf_input = WorkflowInput(
        order=Order.model_validate(sample_order()), validation_timeout_s=30, release=VERSION
    )
    with caplog.at_level(logging.INFO, logger="pizza_workflow"):
        run_workflow(
            pizza_workflow, FakeContext(Shop().activities(), approved(OK), is_replaying=True), wf_input
        )
        assert caplog.records == []
        run_workflow(pizza_workflow, FakeContext(Shop().activities(), approved(OK)), wf_input)
        assert any("ended delivered" in r.getMessage() for r in caplog.records)


def test_the_same_history_gives_the_same_decisions() -> None:
    wf_input = WorkflowInput(
        order=Order.model_validate(sample_order()), validation_timeout_s=30, release=VERSION
    )
    first = FakeContext(Shop().activities(), approved(NO, OK))
    second = FakeContext(Shop().activities(), approved(NO, OK))
    assert run_workflow(pizza_workflow, first, wf_input) == run_workflow(pizza_workflow, second, wf_input)
    assert first.calls == second.calls
    assert first.stages == second.stages


def test_each_check_waits_its_own_timeout_from_now() -> None:
    _, ctx = start(Shop(), approved(OK) | {"ManagerApproval": [OK]}, quantity=6)
    now = ctx.current_utc_datetime
    assert ctx.deadlines == [
        now + timedelta(seconds=20),
        now + timedelta(seconds=30),
    ]  # manager, then quality


@pytest.mark.parametrize(("threshold", "asked"), [(10_800, False), (10_799, True)])
def test_an_order_needs_a_manager_only_above_the_threshold(threshold: int, asked: bool) -> None:
    shop = Shop()
    out, _ = start(shop, approved(OK) | {"ManagerApproval": [OK]}, threshold=threshold, quantity=6)
    assert (out["status"], out["total_cents"]) == ("delivered", 10_800)  # 6 large pepperoni
    assert ((CheckKind.MANAGER, 0) in shop.opened) is asked
    assert ("manager_approved" in shop.statuses()) is asked
