"""The safety net: an order whose workflow failed outside its own code keeps no money and no stock.

The workflow compensates on every way out it knows. A failure the SDK raises around it (a history
that no longer matches the code, a fault in the SDK) fails the instance without running that code:
the charge and the reservation stay. The sweep finds failed orders, on start, on a schedule and on
an operator's request, and refunds, releases and tells the customer, each effect under the same
idempotency key the workflow uses, so a failed order that did compensate itself costs nothing more.
"""

import logging
import threading
from dataclasses import dataclass

import grpc
from dapr.ext.workflow import WorkflowState, WorkflowStatus

from pizza_common.contract.models import OrderRef
from pizza_common.contract.statuses import OrderStatus
from pizza_common.sidecar.dapr_io import DaprGateway, DaprUnavailable
from pizza_common.stages import publish_status
from pizza_workflow import activities
from pizza_workflow.listing import PREFIX, Lister
from pizza_workflow.types import WorkflowInput

log = logging.getLogger(__name__)
SWEPT_PREFIX = "swept_"
SWEPT_TTL_S = 30 * 24 * 3600  # the marker only spares a failed order a second sweep: a month is plenty


@dataclass(frozen=True)
class Swept:
    order_id: str
    refunded_cents: int
    released: dict[str, int]
    reason: str


def sweep(client: Lister, dapr: DaprGateway) -> list[Swept]:
    """Compensate every failed order not swept before, and tell each customer why it failed."""
    token: str | None = None
    swept: list[Swept] = []
    while True:
        page = client.list_workflow_instance_ids(page_size=500, continuation_token=token)
        for iid in page.instance_ids:
            if not iid.startswith(PREFIX):
                continue
            head = client.get_workflow_state(iid, fetch_payloads=False)
            if head is None or head.runtime_status != WorkflowStatus.FAILED:
                continue
            if dapr.get_state(SWEPT_PREFIX + iid.removeprefix(PREFIX))[0] is not None:
                continue
            state = client.get_workflow_state(iid, fetch_payloads=True)
            if state is not None:
                swept.append(_compensate(state, dapr))
        token = page.continuation_token
        if not token:
            return swept


def _compensate(state: WorkflowState, dapr: DaprGateway) -> Swept:
    order = WorkflowInput.model_validate_json(state.serialized_input or "{}").order
    ref = OrderRef(order_id=order.order_id)
    refund, release = activities.refund(ref, dapr), activities.release(ref, dapr)
    reason = state.failure_details.message if state.failure_details else "the workflow failed"
    publish_status(dapr, order, OrderStatus.FAILED, f"the order's workflow failed: {reason}")
    done = Swept(order.order_id, refund.amount_cents or 0, dict(release.items), reason[:500])
    dapr.save_state(SWEPT_PREFIX + order.order_id, done.__dict__, ttl_s=SWEPT_TTL_S)
    log.warning(
        "order %s: swept after its workflow failed (%s): refunded %d cents, released %s",
        order.order_id, reason[:200], done.refunded_cents, done.released,
    )  # fmt: skip
    return done


def every(interval_s: float, client: Lister, dapr: DaprGateway) -> threading.Event:
    """Sweep now and then every interval_s in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()

    def loop() -> None:
        while True:
            try:
                sweep(client, dapr)
            except (DaprUnavailable, OSError, grpc.RpcError) as exc:  # the sidecar is not up yet: next round
                log.info("sweep postponed: %s", exc)
            except Exception:  # a sweep that fails must not stop the next ones
                log.exception("sweep failed")
            if stop.wait(interval_s):
                return

    threading.Thread(target=loop, name="sweep", daemon=True).start()
    return stop
