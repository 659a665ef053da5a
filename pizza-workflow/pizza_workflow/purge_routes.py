"""The operators' housekeeping: purging finished orders' workflow history a page per request, and sweeping
failed orders that may still hold money or stock."""

from flask_openapi3 import APIBlueprint

from pizza_common.auth.staff_guard import staff_only
from pizza_common.service.web import Reply
from pizza_common.sidecar.dapr_io import gateway
from pizza_workflow import listing, sweep
from pizza_workflow.worker import client

bp = APIBlueprint("purge", __name__)


@bp.post("/purge-orders")
@staff_only
def purge_orders(body: listing.PurgeQuery) -> Reply:
    """Delete the workflow history of the finished orders among `limit` workflows; `next` goes on."""
    done = listing.purge(client(), body)  # a bad cursor: 422, the app's BadCursor handler
    return {"purged": done.orders, "next": done.next}


@bp.post("/sweep-orders")
@staff_only
def sweep_orders() -> Reply:
    """Refund, release and close every failed order that may still hold money or stock."""
    swept = sweep.sweep(client(), gateway())
    return {"swept": [s.__dict__ for s in swept]}
