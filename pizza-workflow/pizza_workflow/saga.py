"""One run of the pizza workflow: its steps raced against cancellation, its progress, and
the compensations that undo what it holds. Deterministic: rebuilt the same way on replay."""

import logging
from collections.abc import Generator, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from dapr.ext.workflow import DaprWorkflowContext, RetryPolicy, when_all, when_any

from pizza_common.contract.inventory import Reservation, ReservationStatus
from pizza_common.contract.models import Order, OrderRef
from pizza_common.contract.payments import PaymentResult, PaymentStatus
from pizza_common.contract.statuses import OrderStatus, Stage
from pizza_common.release import since
from pizza_workflow import activities as act
from pizza_workflow.checks import CHECKS, CheckKind, Decision, Opened
from pizza_workflow.ids import CANCEL_EVENT
from pizza_workflow.types import Notes, OrderOutcome, Progress, StatusNote, WorkflowInput

log = logging.getLogger(__name__)

# Infrastructure faults (5xx, sidecar down) are retried with backoff; refusals are results.
SERVICE_RETRY = RetryPolicy(
    first_retry_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    max_retry_interval=timedelta(seconds=30),
    max_number_of_attempts=6,
)

# On the way to an end nothing may give up: compensations retry for as long as it takes, and so does
# telling the customer how the order ended (pizza-order's record depends on it), backing off to one
# try every five minutes (the attempt count only bounds it at about a month).
COMPENSATION_RETRY = RetryPolicy(
    first_retry_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    max_retry_interval=timedelta(minutes=5),
    max_number_of_attempts=10_000,
)

T = TypeVar("T")
N = TypeVar("N", bound=Notes)
# A step of the workflow: it yields tasks to the engine and returns a T once they are done.
Steps = Generator[Any, Any, T]


class Cancelled(Exception):
    """The customer cancelled the order while the workflow waited on a step."""


class Run:
    """The state one workflow run builds up, and the moves it makes through the context."""

    def __init__(self, ctx: DaprWorkflowContext, wf_input: WorkflowInput) -> None:
        self.ctx = ctx
        self.input = wf_input
        self.order: Order = wf_input.order
        self.progress = Progress(stage=Stage.RECEIVED)
        self.holds_effects = False  # a charge or a reservation may exist: compensate on the way out
        self.cancel = ctx.wait_for_external_event(CANCEL_EVENT)
        # Release 1.1.0 published each status it decided with a notify step of its own; 1.0.0 and
        # 1.2.0 hand them to the step that follows, which publishes them as it starts.
        self.announces_apart = self.since("1.1.0") and not self.since("1.2.0")
        # Release 1.0.0's cooking opened the quality check of what it cooked; since, a step of its own.
        self.cooking_opens_check = not self.since("1.1.0")

    def stage(self, stage: Stage | OrderStatus, **changes: Any) -> None:
        """Record where the order is, in the workflow's custom status."""
        self.progress = self.progress.model_copy(update={"stage": stage, **changes})
        self.ctx.set_custom_status(self.progress.model_dump_json(exclude_none=True))
        self.log(logging.INFO, "order %s: %s", self.order.order_id, stage)

    def since(self, version: str) -> bool:
        """Return whether the order started under this release or a later one: take its path."""
        return since(self.input.release, version)

    def heading_to(self, ending: OrderStatus) -> None:
        """Show the outcome decided, before the compensation and the ending it takes."""
        self.progress = self.progress.model_copy(update={"ending": ending})
        self.ctx.set_custom_status(self.progress.model_dump_json(exclude_none=True))

    def call(self, activity: Any, payload: Any, retry: RetryPolicy = SERVICE_RETRY) -> Any:
        """Schedule an activity under a retry policy: the service one unless told otherwise."""
        return self.ctx.call_activity(activity, input=payload, retry_policy=retry)

    def note(self, status: OrderStatus, attempt: int = 0, error: str | None = None) -> StatusNote:
        """Return a status of this order for a step to announce."""
        return StatusNote(order=self.order, status=status, attempt=attempt, error=error)

    def notify(self, notes: Sequence[StatusNote], retry: RetryPolicy = SERVICE_RETRY) -> Any:
        """Schedule a step of its own that publishes these statuses."""
        return self.call(act.notify, Notes(notes=list(notes)), retry)

    def carrying(self, payload: N, announce: Sequence[StatusNote]) -> Steps[N]:
        """Return the step's payload carrying the statuses it announces: its activity publishes them
        before it acts (an order of release 1.1.0 publishes them first, with a notify step)."""
        if not announce:
            return payload
        if self.announces_apart:
            yield self.notify(announce)
            return payload
        return payload.model_copy(update={"notes": list(announce)})

    def wait(self, task: Any) -> Steps[Any]:
        """Wait for a task unless the customer cancels first; return its result."""
        winner = yield when_any([task, self.cancel])
        if winner is self.cancel:
            raise Cancelled
        return task.get_result()

    def step(self, activity: Any, payload: Any, announce: Sequence[StatusNote] = ()) -> Steps[Any]:
        """Run an activity to its end, unless cancelled, announcing these statuses; return its result."""
        payload = yield from self.carrying(payload, announce)
        return (yield from self.wait(self.call(activity, payload)))

    def ask(self, opened: Opened, timeout_s: float, **progress: Any) -> Steps[Decision]:
        """Open a check, then wait for a person's answer or the deadline; return the decision."""
        if opened.check == CheckKind.MANAGER or not self.cooking_opens_check:
            yield from self.step(act.open_check, opened)
        return (yield from self.decide(opened, timeout_s, **progress))

    def decide(self, opened: Opened, timeout_s: float, **progress: Any) -> Steps[Decision]:
        """Wait for a person's answer to an opened check, or the deadline; return the decision."""
        check = CHECKS[opened.check]
        # Only now does the route take an answer: a client that sees the stage may send it.
        self.stage(check.stage, **progress)
        answer = yield from self._answer(check.event, timeout_s, opened.attempt)
        decision = Decision(
            check=check.kind,
            order_id=self.order.order_id,
            attempt=opened.attempt,
            approved=bool(answer and answer.get("approved")),
            timed_out=answer is None,
        )
        if decision.timed_out:
            standing = yield from self.step(act.close_check, decision)
            if self.since("1.1.0"):  # an answer recorded as the deadline passed stands: it got a 200
                decision = Decision.model_validate(standing)
        return decision

    def _answer(self, event: str, timeout_s: float, attempt: int) -> Steps[dict[str, Any] | None]:
        deadline = self.ctx.current_utc_datetime + timedelta(seconds=timeout_s)
        while True:
            # The SDK's own timeout unregisters a waiter whose deadline passed; a waiter left behind
            # would take the next answer, meant for the next attempt.
            answer = self.ctx.wait_for_external_event(event, timeout=deadline)
            winner = yield when_any([answer, self.cancel])
            if winner is self.cancel:
                raise Cancelled
            if answer.is_failed:
                return None
            data: dict[str, Any] = answer.get_result() or {}
            if data.get("attempt", attempt) == attempt:
                return data
            # A late answer meant for an earlier attempt: keep waiting for this one's.

    def end(
        self, status: OrderStatus, error: str | None, announce: Sequence[StatusNote] = ()
    ) -> Steps[dict[str, Any]]:
        """Undo what the order holds and end it at a status, telling the customer the statuses it
        decided on the way, what compensation gave back, and the ending."""
        self.heading_to(status)
        told: list[StatusNote] = list(announce)
        if told and self.announces_apart:  # release 1.1.0 told them before it compensated
            yield self.notify(told)
            told = []
        given_back = yield from self.compensate()
        return (yield from self.finish(status, error, announce=[*told, *given_back]))

    def compensate(self) -> Steps[list[StatusNote]]:
        """Refund and release whatever the order may hold (both idempotent and final); return the
        statuses of what came back, for the ending to tell."""
        if not self.holds_effects:
            return []
        self.stage(Stage.COMPENSATING)  # from here on the workflow no longer listens for a cancel
        ref = OrderRef(order_id=self.order.order_id)
        refunded, released = yield from self._both(act.refund_payment, act.release_ingredients, ref)
        refund, release = PaymentResult.model_validate(refunded), Reservation.model_validate(released)
        self.holds_effects = False
        self.progress = self.progress.model_copy(
            update={"payment": refund.status, "inventory": ReservationStatus.RELEASED}
        )
        refunded_money = refund.status == PaymentStatus.REFUNDED and bool(refund.amount_cents)
        return [
            *([self.note(OrderStatus.PAYMENT_REFUNDED)] if refunded_money else []),
            *([self.note(OrderStatus.INGREDIENTS_RELEASED)] if release.items else []),
        ]

    def _both(self, first: Any, second: Any, payload: Any) -> Steps[list[Any]]:
        calls = [
            self.call(first, payload, COMPENSATION_RETRY),
            self.call(second, payload, COMPENSATION_RETRY),
        ]
        results: list[Any] = yield when_all(calls)
        return results

    def finish(
        self,
        status: OrderStatus,
        error: str | None = None,
        *,
        announce: Sequence[StatusNote] = (),
        published: bool = False,
    ) -> Steps[dict[str, Any]]:
        """End the order at a status: tell the customer the statuses announced and the ending (unless
        a service told it already), in one step that never gives up."""
        self.stage(status)
        notes = [*announce] if published else [*announce, self.note(status, error=error)]
        if notes:
            yield self.notify(notes, COMPENSATION_RETRY)
        self.log(logging.INFO, "order %s ended %s", self.order.order_id, status)
        outcome = OrderOutcome(
            order_id=self.order.order_id, status=status, error=error, total_cents=self.progress.total_cents
        )
        return outcome.model_dump(mode="json")

    def log(self, level: int, msg: str, *args: Any) -> None:
        """Log, except while the history is replayed (it was logged the first time)."""
        if not self.ctx.is_replaying:
            log.log(level, msg, *args)
