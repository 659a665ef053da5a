"""The floor path: the real pizza workflow on stand-in activities (bench/floor), started and
followed through its sidecar's workflow API, so that it measures what the engine alone costs."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Final

import httpx

from bench.http import poll_json, untraced
from bench.load import PathFn
from bench.model import OrderRun
from pizza_common.contract.models import Order
from pizza_common.contract.statuses import OrderStatus
from pizza_run import health, suite
from pizza_run.http import TOKEN_HEADER
from pizza_run.ports import LOCALHOST
from pizza_workflow.ids import WORKFLOW_NAME, instance_id
from pizza_workflow.types import OrderOutcome, WorkflowInput

RUN_FILE: Final = Path(__file__).parent / "floor" / "dapr.yaml"
APP_ID: Final = "pizza-bench-floor"
READY_S: Final = 60.0
ACTIVE: Final = frozenset({"RUNNING", "PENDING"})
# Dapr 1.18.3's wait-for-completion answers long after the end (docs/benchmark.md), so the floor is
# followed as the workflow path is: by polling its status with the bench's backoff.
OUTPUT: Final = "dapr.workflow.output"


class Floor:
    """The floor app's sidecar: where to start an order, and where to ask about it."""

    def __init__(self, dapr_http_port: int, token: str | None, traced: bool = True) -> None:
        self.base = f"http://{LOCALHOST}:{dapr_http_port}/v1.0/workflows/dapr"
        self.headers = {TOKEN_HEADER: token} if token else {}
        self.traced = traced

    def path(self, cap_s: float) -> PathFn:
        """Return the path: start the order, then poll until it ends."""

        async def run_order(http: httpx.AsyncClient, order: dict[str, Any], run: OrderRun) -> None:
            wf_input = WorkflowInput(order=Order.model_validate(order))
            iid = instance_id(wf_input.order.order_id)
            run.phase = "starting on the floor"
            run.start()
            resp = await http.post(
                f"{self.base}/{WORKFLOW_NAME}/start",
                params={"instanceID": iid},
                json=wf_input.model_dump(mode="json"),
                headers=self.headers | ({} if self.traced else untraced()),
            )
            if resp.status_code != 202:
                run.fail(f"start answered {resp.status_code}: {resp.text[:300]}")
                return
            run.phase = "running on the floor"
            status_url = f"{self.base}/{iid}"
            view = await poll_json(http, status_url, _over, cap_s, headers=self.headers)
            outcome = json.loads(view.get("properties", {}).get(OUTPUT) or "null")
            ended = OrderOutcome.model_validate(outcome) if outcome else None
            if view.get("runtimeStatus") == "COMPLETED" and ended and ended.status == OrderStatus.DELIVERED:
                run.succeed()
            else:
                run.fail(f"ended {view.get('runtimeStatus')}: {ended}")

        return run_order


def _over(view: dict[str, Any]) -> bool:
    return view.get("runtimeStatus") not in ACTIVE


@contextmanager
def running(beside: suite.Suite, log_path: Path, traced: bool = True) -> Iterator[Floor]:
    """Run the floor app beside the suite for the block, once its workflow worker is connected."""
    with suite.beside(beside, RUN_FILE, log_path) as apps:
        app = next(a for a in apps if a["app_id"] == APP_ID)
        floor = Floor(int(str(app["http_port"])), beside.tokens.get("DAPR_API_TOKEN"), traced)
        with httpx.Client(timeout=2, headers=floor.headers) as http:
            connected = partial(health.workflow_worker_connected, http, int(str(app["http_port"])))
            health.wait(
                lambda: None if connected() else "the floor's workflow worker",
                beside.exited, READY_S, log_path,
            )  # fmt: skip
        yield floor
