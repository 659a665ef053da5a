"""The workflow path: one order through pizza-workflow's API, from start to delivered.

The bench learns of each order's progress from pizza-order's event stream (bench.events) and
asks get-status only to confirm the end, or slowly, as a safety net.
"""

from collections.abc import Callable
from typing import Any, Final

import httpx
from dapr.ext.workflow import WorkflowStatus

from bench.events import OrderEvents
from bench.http import Backoff, fetch_json, poll_json
from bench.model import OrderRun
from pizza_common.contract.names import WORKFLOW_APP
from pizza_common.contract.statuses import OrderStatus
from pizza_run.http import app_url

RUNNING: Final = WorkflowStatus.RUNNING.name
COMPLETED: Final = WorkflowStatus.COMPLETED.name
ACTIVE: Final = frozenset(s.name for s in (WorkflowStatus.RUNNING, WorkflowStatus.PENDING))


def _waiting_or_over(view: dict[str, Any]) -> bool:
    return view.get("stage") == OrderStatus.PENDING_VALIDATION or view.get("runtime_status") not in ACTIVE


def _over(view: dict[str, Any]) -> bool:
    return view.get("runtime_status") not in ACTIVE


def _outcome(view: dict[str, Any]) -> str:
    output = view.get("output")
    status = output.get("status") if isinstance(output, dict) else None
    failure = view.get("failure")
    why = f": {failure.get('message')}" if isinstance(failure, dict) else ""
    return f"ended {view.get('runtime_status')} at stage {view.get('stage')}, output status {status}{why}"


async def _post(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> httpx.Response | None:
    """POST once more if the connection broke: both routes answer 409 to a repeat that already took."""
    try:
        return await http.post(url, json=body)
    except httpx.TransportError:
        return None


async def _validate(http: httpx.AsyncClient, base: str, status_url: str, run: OrderRun, cap_s: float) -> bool:
    """Approve the quality check; return False (the run failed) if the workflow refuses it."""
    backoff = Backoff(cap=cap_s)
    while True:
        resp = await _post(http, f"{base}/validate-pizza", {"order_id": run.order_id, "approved": True})
        if resp is not None and resp.status_code == 200:
            return True
        if resp is not None and resp.status_code != 409:
            run.fail(f"validate-pizza answered {resp.status_code}: {resp.text[:300]}")
            return False
        # 409: the stage shows before the pending check is recorded, so wait for the record; or a
        # repeat of a decision that took, when the stage has moved on.
        view = await poll_json(http, status_url, lambda _: True)
        if view.get("stage") != OrderStatus.PENDING_VALIDATION:
            return True
        await backoff.wait()


async def _reach(
    http: httpx.AsyncClient,
    events: OrderEvents,
    url: str,
    run: OrderRun,
    status: str,
    done: Callable[[dict[str, Any]], bool],
    safety_s: float,
) -> dict[str, Any] | None:
    """Wait until the stream says the order reached status (None), or a slow poll says done (its view)."""
    while not await events.wait(run.order_id, frozenset({status}), safety_s):
        view = await fetch_json(http, url)
        if view is not None and done(view):
            return view
    return None


async def run_order(
    http: httpx.AsyncClient,
    events: OrderEvents,
    order: dict[str, Any],
    run: OrderRun,
    cap_s: float,
    safety_s: float,
) -> None:
    """Start the order, approve its quality check when it waits for one, and wait until delivered."""
    base = app_url(WORKFLOW_APP)
    status_url = f"{base}/get-status/{run.order_id}"
    run.phase = "starting"
    run.start()
    resp = await _post(http, f"{base}/start-order", order)
    if resp is None:  # the connection broke: a repeat starts it, or answers 409 if the first took
        resp = await http.post(f"{base}/start-order", json=order)
        started = resp.status_code in (202, 409)
    else:
        started = resp.status_code == 202
    if not started:
        run.fail(f"start-order answered {resp.status_code}: {resp.text[:300]}")
        return
    run.phase = f"waiting for stage {OrderStatus.PENDING_VALIDATION}"
    view = await _reach(
        http, events, status_url, run, OrderStatus.PENDING_VALIDATION, _waiting_or_over, safety_s
    )
    if view is not None and view.get("runtime_status") not in ACTIVE:
        run.view = view
        run.fail(_outcome(view))
        return
    run.phase = "validating"
    if not await _validate(http, base, status_url, run, cap_s):
        return
    run.phase = f"waiting for {OrderStatus.DELIVERED}, then {COMPLETED}"
    await _reach(http, events, status_url, run, OrderStatus.DELIVERED, _over, safety_s)
    view = await poll_json(http, status_url, _over, cap_s)
    run.view = view
    output = view.get("output")
    if (
        view.get("runtime_status") == COMPLETED
        and isinstance(output, dict)
        and output.get("status") == OrderStatus.DELIVERED
    ):
        run.succeed()
    else:
        run.fail(_outcome(view))
