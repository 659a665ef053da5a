"""The pizza workflow's branches, run on stand-in activities registered under the real names."""

import logging
from typing import Any

import pytest
from dapr.ext.workflow import TaskFailedError

from pizza_common.dapr_io import DaprUnavailable
from pizza_common.fixtures import sample_order
from pizza_common.models import Order, StepResult
from pizza_common.names import VALIDATION_EVENT
from pizza_workflow.testing import FakeContext, run_workflow
from pizza_workflow.types import StatusNote, ValidationOutcome, WorkflowInput
from pizza_workflow.workflows import SERVICE_RETRY, pizza_workflow


def ok(status: str) -> Any:
    return lambda _ctx, _order: StepResult(ok=True, status=status)


def refused(status: str, error: str) -> Any:
    return lambda _ctx, _order: StepResult(ok=False, status=status, error=error)


class Notes:
    """Records what the workflow asked to publish and to record."""

    def __init__(self) -> None:
        self.notes: list[tuple[str, str | None]] = []
        self.validations: list[ValidationOutcome] = []

    def notify(self, _ctx: Any, note: StatusNote) -> None:
        self.notes.append((note.status, note.error))

    def close_validation(self, _ctx: Any, outcome: ValidationOutcome) -> None:
        self.validations.append(outcome)


def shop(notes: Notes, **overrides: Any) -> dict[str, Any]:
    activities = {
        "take_order": ok("confirmed"),
        "cook_pizza": ok("cooked"),
        "request_validation": lambda _ctx, _order: None,
        "close_validation": notes.close_validation,
        "deliver_pizza": ok("delivered"),
        "notify": notes.notify,
    }
    return activities | overrides


def wf_input() -> WorkflowInput:
    return WorkflowInput(order=Order.model_validate(sample_order()), validation_timeout_s=30)


def test_approved_pizza_is_delivered() -> None:
    notes = Notes()
    ctx = FakeContext(shop(notes), events={VALIDATION_EVENT: {"approved": True}})
    out = run_workflow(pizza_workflow, ctx, wf_input())
    assert out["status"] == "delivered"
    assert out["error"] is None
    assert ctx.called() == [
        "take_order",
        "cook_pizza",
        "request_validation",
        "close_validation",
        "notify",
        "deliver_pizza",
    ]
    assert notes.notes == [("approved", None)]
    assert ctx.stages == ["storefront", "kitchen", "pending_validation", "delivery", "delivered"]


def test_rejected_pizza_is_not_delivered() -> None:
    notes = Notes()
    ctx = FakeContext(shop(notes), events={VALIDATION_EVENT: {"approved": False}})
    out = run_workflow(pizza_workflow, ctx, wf_input())
    assert out["status"] == "rejected"
    assert "deliver_pizza" not in ctx.called()
    assert notes.notes == [("rejected", "rejected by quality check")]
    assert notes.validations[0].timed_out is False


def test_no_decision_before_the_deadline_counts_as_rejected() -> None:
    notes = Notes()
    ctx = FakeContext(shop(notes))
    out = run_workflow(pizza_workflow, ctx, wf_input())
    assert out == {"order_id": out["order_id"], "status": "rejected", "error": "quality check timed out"}
    assert notes.validations[0].timed_out is True
    assert "deliver_pizza" not in ctx.called()


@pytest.mark.parametrize(
    ("step", "status", "ends"),
    [
        ("take_order", "failed", "failed"),
        ("cook_pizza", "cooking_failed", "cooking_failed"),
        ("deliver_pizza", "delivery_failed", "delivery_failed"),
    ],
)
def test_a_refusal_ends_the_order_without_retries(step: str, status: str, ends: str) -> None:
    notes = Notes()
    ctx = FakeContext(
        shop(notes, **{step: refused(status, "no can do")}), events={VALIDATION_EVENT: {"approved": True}}
    )
    out = run_workflow(pizza_workflow, ctx, wf_input())
    assert out["status"] == ends
    assert out["error"] == "no can do"
    assert ctx.called().count(step) == 1
    assert notes.notes[-1] == (ends, "no can do")
    assert ctx.called()[-1] == "notify"


def test_transient_faults_are_retried_until_they_pass() -> None:
    failures = iter([DaprUnavailable("kitchen 503"), DaprUnavailable("kitchen 503")])

    def flaky_kitchen(_ctx: Any, _order: Any) -> StepResult:
        fault = next(failures, None)
        if fault:
            raise fault
        return StepResult(ok=True, status="cooked")

    ctx = FakeContext(shop(Notes(), cook_pizza=flaky_kitchen), events={VALIDATION_EVENT: {"approved": True}})
    assert run_workflow(pizza_workflow, ctx, wf_input())["status"] == "delivered"
    assert ctx.called().count("cook_pizza") == 3


def test_a_fault_that_outlasts_the_retries_fails_the_workflow() -> None:
    def down(_ctx: Any, _order: Any) -> StepResult:
        raise DaprUnavailable("kitchen sidecar unreachable")

    notes = Notes()
    ctx = FakeContext(shop(notes, cook_pizza=down))
    with pytest.raises(TaskFailedError, match="kitchen sidecar unreachable"):
        run_workflow(pizza_workflow, ctx, wf_input())
    assert ctx.called().count("cook_pizza") == SERVICE_RETRY.max_number_of_attempts
    assert notes.notes == [("failed", notes.notes[0][1])]
    assert "kitchen sidecar unreachable" in (notes.notes[0][1] or "")
    assert ctx.stages[-1] == "failed"


def test_replays_log_nothing(caplog: pytest.LogCaptureFixture) -> None:
    events = {VALIDATION_EVENT: {"approved": True}}
    with caplog.at_level(logging.INFO, logger="pizza_workflow.workflows"):
        run_workflow(pizza_workflow, FakeContext(shop(Notes()), events=events, is_replaying=True), wf_input())
        assert caplog.records == []
        run_workflow(pizza_workflow, FakeContext(shop(Notes()), events=events), wf_input())
        assert any("ended delivered" in r.getMessage() for r in caplog.records)


def test_the_same_history_gives_the_same_decisions() -> None:
    events = {VALIDATION_EVENT: {"approved": True}}
    first, second = FakeContext(shop(Notes()), events=events), FakeContext(shop(Notes()), events=events)
    order = wf_input()
    assert run_workflow(pizza_workflow, first, order) == run_workflow(pizza_workflow, second, order)
    assert first.calls == second.calls
