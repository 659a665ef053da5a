"""One run of the pizza workflow: its steps raced against cancellation, its progress, and
the compensations that undo what it holds. Deterministic: rebuilt the same way on replay."""

import logging
from collections.abc import Generator
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
        self.notes: list[StatusNote] = []  # decided, not yet published (see tell() and finish())
        self.cancel = ctx.wait_for_external_event(CANCEL_EVENT)

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
        if self.notes and isinstance(payload, Notes):  # release 1.0.0: a step carries the statuses told
            payload = payload.model_copy(update={"notes": self.take_notes()})
        return self.ctx.call_activity(activity, input=payload, retry_policy=retry)

    def tell(self, *statuses: OrderStatus, attempt: int = 0) -> Steps[None]:
        """Publish statuses the workflow decided, here (an order of release 1.0.0 hands them to the
        step that follows, which publishes them before it starts)."""
        notes = [StatusNote(order=self.order, status=status, attempt=attempt) for status in statuses]
        if not self.since("1.1.0"):
            self.notes += notes
            return
        if notes:
            yield self.call(act.notify, Notes(notes=notes))

    def wait(self, task: Any) -> Steps[Any]:
        """Wait for a task unless the customer cancels first; return its result."""
        winner = yield when_any([task, self.cancel])
        if winner is self.cancel:
            raise Cancelled
        return task.get_result()

    def step(self, activity: Any, payload: Any) -> Steps[Any]:
        """Run an activity to its end, unless cancelled; return its result."""
        return (yield from self.wait(self.call(activity, payload)))

    def ask(self, opened: Opened, timeout_s: float, **progress: Any) -> Steps[Decision]:
        """Open a check, then wait for a person's answer or the deadline; return the decision."""
        if opened.check == CheckKind.MANAGER or self.since("1.1.0"):  # 1.0.0's cooking opened its check
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

    def take_notes(self) -> list[StatusNote]:
        """Return the statuses not yet published, and forget them."""
        notes, self.notes = self.notes, []
        return notes

    def compensate(self) -> Steps[None]:
        """Refund and release whatever the order may hold; both are idempotent and final."""
        if not self.holds_effects:
            return
        self.stage(Stage.COMPENSATING)  # from here on the workflow no longer listens for a cancel
        ref = OrderRef(order_id=self.order.order_id)
        refunded, released = yield from self._both(act.refund_payment, act.release_ingredients, ref)
        refund, release = PaymentResult.model_validate(refunded), Reservation.model_validate(released)
        self.holds_effects = False
        self.progress = self.progress.model_copy(
            update={"payment": refund.status, "inventory": ReservationStatus.RELEASED}
        )
        # What came back is told with the ending, in finish().
        if refund.status == PaymentStatus.REFUNDED and refund.amount_cents:
            self.notes.append(StatusNote(order=self.order, status=OrderStatus.PAYMENT_REFUNDED))
        if release.items:
            self.notes.append(StatusNote(order=self.order, status=OrderStatus.INGREDIENTS_RELEASED))

    def _both(self, first: Any, second: Any, payload: Any) -> Steps[list[Any]]:
        calls = [
            self.call(first, payload, COMPENSATION_RETRY),
            self.call(second, payload, COMPENSATION_RETRY),
        ]
        results: list[Any] = yield when_all(calls)
        return results

    def finish(
        self, status: OrderStatus, error: str | None = None, *, published: bool = False
    ) -> Steps[dict[str, Any]]:
        """End the order at a status: tell the customer what compensation gave back and the ending
        (unless a service told it already), in one step that never gives up."""
        self.stage(status)
        if not published:
            self.notes.append(StatusNote(order=self.order, status=status, error=error))
        if self.notes:
            yield self.call(act.notify, Notes(notes=self.take_notes()), COMPENSATION_RETRY)
        self.log(logging.INFO, "order %s ended %s", self.order.order_id, status)
        outcome = OrderOutcome(
            order_id=self.order.order_id, status=status, error=error, total_cents=self.progress.total_cents
        )
        return outcome.model_dump(mode="json")

    def log(self, level: int, msg: str, *args: Any) -> None:
        """Log, except while the history is replayed (it was logged the first time)."""
        if not self.ctx.is_replaying:
            log.log(level, msg, *args)
