"""The floor's app: the real `pizza_workflow` on the tests' stand-in activities, under the real names.

Nothing here calls a service or publishes: what an order costs on this app and its sidecar is
what the engine itself costs for the workflow's shape. The quality check answers itself, from
the activity that opens it (cooking), so no person and no poll sit in the path.
"""

import logging
import signal
import threading
from typing import Any, Final

from dapr.ext.workflow import DaprWorkflowClient, WorkflowRuntime
from dapr.ext.workflow.logger import LoggerOptions

from pizza_workflow.checks import CHECKS, CheckKind, Opened
from pizza_workflow.ids import WORKFLOW_NAME, instance_id
from pizza_workflow.types import CookInput, StepResult
from pizza_workflow.worker import ACTIVITY_THREADS
from pizza_workflow.workflows import pizza_workflow
from tests.support.shop import Shop

log = logging.getLogger("bench.floor")
STOCK: Final = 10**9  # never the reason a floor order ends


def main() -> None:
    """Run the workflow runtime until SIGTERM or SIGINT."""
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    log.setLevel(logging.INFO)
    quiet = LoggerOptions(log_handler=logging.NullHandler())
    answers = DaprWorkflowClient(logger_options=quiet)
    shop = Shop(stock=STOCK)

    def approve(order_id: str, check: CheckKind, attempt: int) -> None:
        """Answer a check at once, approved, as a person would."""
        decision = {"approved": True, "attempt": attempt}
        answers.raise_workflow_event(instance_id(order_id), CHECKS[check].event, data=decision)

    def cook_pizza(ctx: Any, request: CookInput) -> StepResult:
        """Cook and open the quality check as the stand-in does, then approve it."""
        cooked = shop.cook_pizza(ctx, request)
        approve(request.order_id, CheckKind.QUALITY, request.attempt)
        return cooked

    def open_check(ctx: Any, opened: Opened) -> None:
        """Open a manager's check as the stand-in does, then approve it."""
        shop.open_check(ctx, opened)
        approve(opened.order.order_id, opened.check, opened.attempt)

    shop.overrides |= {"cook_pizza": cook_pizza, "open_check": open_check}
    runtime = WorkflowRuntime(logger_options=quiet, maximum_thread_pool_workers=ACTIVITY_THREADS)
    runtime.register_workflow(pizza_workflow, name=WORKFLOW_NAME)
    for name, activity in shop.activities().items():
        runtime.register_activity(activity, name=name)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    runtime.start()  # type: ignore[no-untyped-call]
    log.info("floor worker started: %s on stand-in activities", WORKFLOW_NAME)
    stop.wait()
    runtime.shutdown()  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    main()
