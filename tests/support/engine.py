"""Drive the real pizza_workflow through the SDK's own executor, turn by turn, replaying the whole history.

A stand-in for the sidecar's engine only: the workflow and the activity wrappers are the SDK's (registered
with a `WorkflowRuntime` that never connects), and each turn hands the executor the committed history as
old events and what arrived since as new ones, as daprd does. Activities are the stand-ins of `Shop`,
under the real names. Time moves only when nothing else can happen: then the earliest timer fires.
"""

import functools
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from dapr.ext.workflow import WorkflowRuntime
from dapr.ext.workflow._durabletask import worker as dt_worker
from dapr.ext.workflow._durabletask.internal import helpers as ph
from dapr.ext.workflow._durabletask.internal import protos as pb

from pizza_workflow.ids import WORKFLOW_NAME
from pizza_workflow.types import WorkflowInput
from pizza_workflow.workflows import pizza_workflow

log = logging.getLogger("engine")
FAR = datetime(9000, 1, 1, tzinfo=UTC)  # the SDK's optional timers fire at 9999-12-31: never here
Idle = Callable[["Engine"], None]
Step = Callable[["Engine", bool], None]


def _fresh(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """Return a new function with fn's signature: the SDK marks what it registers, once per process."""

    def call(*args: Any) -> Any:
        return fn(*args)

    functools.update_wrapper(call, fn, updated=())
    call.__name__ = name
    return call


class Engine:
    """One workflow instance: its history, the activities and timers it waits on, and its end."""

    def __init__(
        self, activities: dict[str, Callable[..., Any]], instance_id: str = "pizza-order-engine"
    ) -> None:
        runtime = WorkflowRuntime()
        runtime.register_workflow(_fresh(pizza_workflow, WORKFLOW_NAME), name=WORKFLOW_NAME)
        for name, fn in activities.items():
            runtime.register_activity(_fresh(fn, name), name=name)
        self.registry = runtime._WorkflowRuntime__worker._registry  # type: ignore[attr-defined]
        self.executor = dt_worker._OrchestrationExecutor(self.registry, log)
        self.activity_executor = dt_worker._ActivityExecutor(log)
        self.instance_id = instance_id
        self.now = datetime(2026, 1, 1, tzinfo=UTC)
        self.history: list[pb.HistoryEvent] = []
        self.arrived: list[pb.HistoryEvent] = []
        self.scheduled: dict[int, tuple[str, str | None]] = {}  # activity tasks not yet run
        self.timers: dict[int, datetime] = {}
        self.turns = 0
        self.status: str | None = None  # COMPLETED or FAILED once it ends
        self.output: Any = None
        self.failure: str | None = None
        self.custom_status: Any = None
        self.in_flight: set[str] = set()  # activity names held back by `hold`, to finish later

    def start(self, wf_input: WorkflowInput) -> None:
        self.arrived.append(
            ph.new_execution_started_event(WORKFLOW_NAME, self.instance_id, wf_input.model_dump_json())
        )

    def resume(self, history: list[pb.HistoryEvent]) -> None:
        """Take up an instance from a history daprd recorded: what it scheduled and what is still due."""
        self.history = list(history)
        done = {e.taskCompleted.taskScheduledId for e in history if e.HasField("taskCompleted")}
        done |= {e.taskFailed.taskScheduledId for e in history if e.HasField("taskFailed")}
        fired = {e.timerFired.timerId for e in history if e.HasField("timerFired")}
        for e in history:
            if e.HasField("taskScheduled") and e.eventId not in done:
                task = e.taskScheduled
                self.scheduled[e.eventId] = (task.name, task.input.value if task.HasField("input") else None)
            elif e.HasField("timerCreated") and e.eventId not in fired:
                self.timers[e.eventId] = e.timerCreated.fireAt.ToDatetime(tzinfo=UTC)
        self.now = max(e.timestamp.ToDatetime(tzinfo=UTC) for e in history)

    def raise_event(self, name: str, data: Any) -> None:
        self.arrived.append(ph.new_event_raised_event(name, json.dumps(data)))

    def stage(self) -> str | None:
        return self.custom_status.get("stage") if isinstance(self.custom_status, dict) else None

    def turn(self) -> None:
        """Run the workflow once over its whole history, and record what it asked for."""
        started = pb.HistoryEvent(eventId=-1, workflowStarted=pb.WorkflowStartedEvent())
        started.timestamp.FromDatetime(self.now)
        new = [started, *self.arrived]
        self.arrived = []
        result = self.executor.execute(self.instance_id, self.history, new)
        # As daprd does: the turn's start records the patches the workflow took, so replays take them too.
        if result.patches:
            started.workflowStarted.version.patches.extend(result.patches)
        self.history += new
        self.turns += 1
        if result.encoded_custom_status:
            # The SDK passes on the string the workflow set, its progress as a JSON object.
            self.custom_status = json.loads(result.encoded_custom_status)
        for action in result.actions:
            self._record(action)

    def _record(self, action: pb.WorkflowAction) -> None:
        kind = action.WhichOneof("workflowActionType")
        if kind == "scheduleTask":
            task = action.scheduleTask
            encoded = task.input.value if task.HasField("input") else None
            self.history.append(ph.new_task_scheduled_event(action.id, task.name, encoded))
            self.scheduled[action.id] = (task.name, encoded)
        elif kind == "createTimer":
            timer = action.createTimer
            created = pb.TimerCreatedEvent()
            for (
                field,
                value,
            ) in timer.ListFields():  # fireAt, name and the timer's origin, as daprd keeps them
                getattr(created, field.name).CopyFrom(value) if field.message_type else setattr(
                    created, field.name, value
                )
            self.history.append(pb.HistoryEvent(eventId=action.id, timerCreated=created))
            self.timers[action.id] = timer.fireAt.ToDatetime(tzinfo=UTC)
        elif kind == "completeWorkflow":
            done = action.completeWorkflow
            self.status = pb.OrchestrationStatus.Name(done.workflowStatus).removeprefix(
                "ORCHESTRATION_STATUS_"
            )
            self.output = (
                json.loads(done.result.value) if done.HasField("result") and done.result.value else None
            )
            self.failure = done.failureDetails.errorMessage if done.HasField("failureDetails") else None
        else:
            raise AssertionError(f"the pizza workflow does not {kind}")

    def run_activities(self) -> None:
        """Run every scheduled activity but those held in flight; their results arrive for the next turn."""
        for task_id, (name, encoded) in sorted(self.scheduled.items()):
            if name in self.in_flight:
                continue
            del self.scheduled[task_id]
            fn = self.registry.get_activity(name)
            try:
                output = self.activity_executor.execute(fn, self.instance_id, name, task_id, encoded)
            except Exception as exc:  # a fault: the workflow's retry policy decides what follows
                self.arrived.append(ph.new_task_failed_event(task_id, exc))
            else:
                self.arrived.append(ph.new_task_completed_event(task_id, output))

    def release(self, name: str) -> None:
        """Let activities of this name that were held in flight finish at the next step."""
        self.in_flight.discard(name)

    def fire_next_timer(self) -> bool:
        """Move time to the earliest real timer and fire it; False if only optional timers remain."""
        due = [(at, tid) for tid, at in self.timers.items() if at < FAR]
        if not due:
            return False
        at, tid = min(due)
        del self.timers[tid]
        self.now = max(self.now, at)
        self.arrived.append(ph.new_timer_fired_event(tid, at))
        return True

    def run(self, on_idle: Idle | None = None, max_turns: int = 400, on_step: Step | None = None) -> "Engine":
        """Turn until the workflow ends; when it waits on nothing runnable, ask on_idle, then fire a timer.

        on_step, if given, sees every step (with whether the workflow waits idle) and may raise events
        beside the activities' results, as a person or a late service does at any moment.
        """
        while self.status is None:
            if self.turns >= max_turns:
                raise AssertionError(f"still running after {max_turns} turns at stage {self.stage()}")
            self.turn()
            if self.status is not None:
                break
            self.run_activities()
            idle = not self.arrived
            if on_step:
                on_step(self, idle)
            if idle and not self.arrived and on_idle:
                on_idle(self)
            if not self.arrived and not self.fire_next_timer():
                raise AssertionError(f"stuck at stage {self.stage()}: nothing to run, no timer to fire")
            self.now += timedelta(milliseconds=10)
        return self
