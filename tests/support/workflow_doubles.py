"""Stand-ins for tests: a context that runs the real workflow generator without a sidecar,
and a workflow client that keeps instances in memory. Both stop at Dapr's boundary."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dapr.ext.workflow import WorkflowHistoryEvent, WorkflowState
from dapr.ext.workflow._durabletask import client as dt_client
from dapr.ext.workflow._durabletask import task as dt_task
from dapr.ext.workflow._durabletask.internal import protos as pb
from dapr.ext.workflow.workflow_management import WorkflowInstanceIdPage

from pizza_workflow.types import Progress

Activity = Callable[[Any, Any], Any]


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value.model_dump(mode="json") if hasattr(value, "model_dump") else value))


@dataclass
class FakeContext:
    """Runs activities by name from `activities`, with their retry policies.

    `events` lists each external event's payloads in the order they arrive. Timers fire at
    once unless `timers_fire` is False. `cancel_at` names an activity or an event: when the
    workflow reaches it, the activity stays in flight (or no answer comes) and the customer's
    CancelOrder arrives instead.
    """

    activities: dict[str, Activity]
    events: dict[str, list[Any]] = field(default_factory=dict)
    is_replaying: bool = False
    instance_id: str = "pizza-order-test"
    current_utc_datetime: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    timers_fire: bool = True
    cancel_at: str | None = None
    stages: list[str] = field(default_factory=list)
    calls: list[tuple[str, Any]] = field(default_factory=list)
    waiting: dict[str, list[dt_task.CompletableTask[Any]]] = field(default_factory=dict)
    deadlines: list[datetime] = field(default_factory=list)  # each timed wait's deadline, in order
    progress: list[dict[str, Any]] = field(default_factory=list)  # each custom status set, whole

    def set_custom_status(self, status: str) -> None:
        self.progress.append(json.loads(status))
        self.stages.append(self.progress[-1]["stage"])

    def _cancel(self) -> None:
        for task in self.waiting.get("CancelOrder", []):
            if not task.is_complete:
                task.complete({"reason": "test"})

    def call_activity(
        self, activity: Any, *, input: Any = None, retry_policy: Any = None
    ) -> dt_task.Task[Any]:
        name = activity.__name__
        task: dt_task.CompletableTask[Any] = dt_task.CompletableTask()
        if name == self.cancel_at:
            self.calls.append((name, _json(input)))
            self.cancel_at = None
            self._cancel()
            return task  # still in flight when the cancellation arrives
        attempts = retry_policy.max_number_of_attempts if retry_policy else 1
        for _ in range(attempts):
            self.calls.append((name, _json(input)))
            try:
                result = self.activities[name](None, input)
            except Exception as exc:
                error = exc
                continue
            task.complete(_json(result))
            return task
        details = pb.TaskFailureDetails(errorType=type(error).__name__, errorMessage=str(error))
        task.fail(f"{name} failed: {error}", details)
        return task

    def wait_for_external_event(self, name: str, *, timeout: Any = None) -> dt_task.Task[Any]:
        task: dt_task.CompletableTask[Any] = dt_task.CompletableTask()
        self.waiting.setdefault(name, []).append(task)
        if timeout is not None:
            self.deadlines.append(timeout)
        # The listed answers arrive after the wait begins: a deadline already past beats them all.
        passed = timeout is not None and timeout <= self.current_utc_datetime
        if name == self.cancel_at:
            self.cancel_at = None
            self._cancel()
        elif self.events.get(name) and not passed:
            task.complete(self.events[name].pop(0))
        elif timeout is not None and (self.timers_fire or passed):  # its deadline passes, as the SDK fails it
            task.fail("timed out", pb.TaskFailureDetails(errorType="TimeoutError", errorMessage="timed out"))
        return task

    def create_timer(self, fire_at: Any) -> dt_task.Task[Any]:
        # Fires at once by default; an answer listed before it in when_any still wins.
        task: dt_task.CompletableTask[Any] = dt_task.CompletableTask()
        if self.timers_fire:
            task.complete(None)
        return task

    def called(self) -> list[str]:
        return [name for name, _ in self.calls]


def run_workflow(workflow: Callable[..., Any], ctx: FakeContext, wf_input: Any) -> Any:
    """Drive a workflow generator to its end, as the engine would without replays."""
    steps = workflow(ctx, wf_input)
    value: Any = None
    failure: BaseException | None = None
    while True:
        try:
            task = steps.throw(failure) if failure else steps.send(value)
        except StopIteration as done:
            return done.value
        assert task.is_complete, "the workflow waits on a task no stand-in completes"
        # A failed task raises where the workflow yielded it, as the SDK does.
        failure = task.get_exception() if task.is_failed else None
        value = None if failure else task.get_result()


class FakeWorkflowClient:
    """Keeps workflow instances as the real client reports them (real WorkflowState objects)."""

    def __init__(self) -> None:
        self.instances: dict[str, dt_client.WorkflowState] = {}
        self.events: list[tuple[str, str, Any]] = []
        self.histories: dict[str, list[pb.HistoryEvent]] = {}  # as the engine keeps them, oldest first
        # How the workflow reacts to an event it is sent, where a test needs it to (a cancel taken, say).
        self.on_event: Callable[[str, str, Any], None] | None = None

    def put(
        self,
        iid: str,
        status: str,
        *,
        stage: str | Progress | None = None,
        wf_input: Any = None,
        output: Any = None,
        failure: str | None = None,
    ) -> None:
        """Store an instance; stage is a stage name or the whole progress the workflow last set."""
        progress = Progress(stage=stage) if isinstance(stage, str) else stage
        now = datetime.now(UTC)
        self.instances[iid] = dt_client.WorkflowState(
            instance_id=iid,
            name="pizza_workflow",
            runtime_status=dt_client.OrchestrationStatus[status],
            created_at=now,
            last_updated_at=now,
            serialized_input=json.dumps(_json(wf_input)) if wf_input is not None else None,
            serialized_output=json.dumps(output) if output is not None else None,
            # As the sidecar keeps it: the very string the workflow passed to set_custom_status.
            serialized_custom_status=progress.model_dump_json(exclude_none=True) if progress else None,
            failure_details=dt_task.FailureDetails(failure, "NonDeterminismError", None) if failure else None,
        )

    def status(self, iid: str) -> str:
        return self.instances[iid].runtime_status.name

    def get_workflow_state(self, iid: str, *, fetch_payloads: bool = True) -> WorkflowState | None:
        state = self.instances.get(iid)
        return WorkflowState(state) if state else None

    def schedule_new_workflow(self, workflow: str, *, input: Any = None, instance_id: str) -> str:
        self.put(instance_id, "RUNNING", wf_input=input)
        return instance_id

    def get_workflow_history(self, iid: str) -> list[WorkflowHistoryEvent]:
        return [WorkflowHistoryEvent._from_proto(e) for e in self.histories.get(iid, [])]

    def raise_workflow_event(self, iid: str, name: str, *, data: Any = None) -> None:
        self.events.append((iid, name, data))
        if self.on_event:
            self.on_event(iid, name, data)

    def pause_workflow(self, iid: str) -> None:
        self.instances[iid].runtime_status = dt_client.OrchestrationStatus.SUSPENDED

    def resume_workflow(self, iid: str) -> None:
        self.instances[iid].runtime_status = dt_client.OrchestrationStatus.RUNNING

    def iter_workflow_instance_ids(self, *, page_size: int = 1024) -> list[str]:
        return sorted(self.instances)

    def list_workflow_instance_ids(
        self, *, page_size: int | None = None, continuation_token: str | None = None
    ) -> WorkflowInstanceIdPage:
        # As Dapr's Redis store answers: every key sorted, the token an offset into them.
        ids, start = sorted(self.instances), int(continuation_token or 0)
        end = len(ids) if page_size is None else min(len(ids), start + page_size)
        return WorkflowInstanceIdPage(ids[start:end], str(end) if end < len(ids) else None)

    def purge_workflow(self, iid: str, recursive: bool = True) -> None:
        del self.instances[iid]

    def terminate_workflow(self, iid: str, *, output: Any = None) -> None:
        self.instances[iid].runtime_status = dt_client.OrchestrationStatus.TERMINATED
        self.instances[iid].serialized_output = json.dumps(output)
