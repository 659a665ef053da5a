"""The orders list, a page at a time, in the runtime's order (by instance id)."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Protocol

from dapr.ext.workflow import WorkflowState
from dapr.ext.workflow.workflow_management import WorkflowInstanceIdPage

from pizza_common.models import OrdersQuery
from pizza_workflow.control import describe
from pizza_workflow.ids import instance_id

PREFIX = instance_id("")
# How many workflow states one request reads at most: a rare status among many finished
# orders then costs several short pages instead of one request that reads them all.
READ_BUDGET = 500
# The runtime lists every key of the store on each call (Redis: a full SCAN): fewer, larger calls.
RUNTIME_PAGE = 500


class Lister(Protocol):
    def list_workflow_instance_ids(
        self, *, page_size: int | None = None, continuation_token: str | None = None
    ) -> WorkflowInstanceIdPage: ...

    def get_workflow_state(
        self, instance_id: str, *, fetch_payloads: bool = True
    ) -> WorkflowState | None: ...


class BadCursor(ValueError):
    """A cursor this API did not give."""


@dataclass(frozen=True)
class Page:
    orders: list[dict[str, Any]]
    next: str | None


def encode(token: str | None, skip: int) -> str:
    """Return the cursor that resumes at the runtime page `token`, `skip` ids in."""
    return base64.urlsafe_b64encode(json.dumps([token, skip]).encode()).decode()


def decode(cursor: str | None) -> tuple[str | None, int]:
    """Return the runtime token and the count to skip of a cursor; raise BadCursor."""
    if cursor is None:
        return None, 0
    try:
        token, skip = json.loads(base64.urlsafe_b64decode(cursor))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise BadCursor(cursor) from exc
    if not (token is None or isinstance(token, str)) or not isinstance(skip, int) or skip < 0:
        raise BadCursor(cursor)
    return token, skip


def page(client: Lister, query: OrdersQuery) -> Page:
    """Return up to `limit` orders at any of `status` from `cursor` on, and the cursor after them."""
    token, skip = decode(query.cursor)
    found: list[dict[str, Any]] = []
    reads = 0
    while True:
        ids = client.list_workflow_instance_ids(page_size=RUNTIME_PAGE, continuation_token=token)
        for at in range(skip, len(ids.instance_ids)):
            if len(found) == query.limit or reads == READ_BUDGET:
                return Page(found, encode(token, at))
            iid = ids.instance_ids[at]
            if not iid.startswith(PREFIX):
                continue
            reads += 1
            if query.status:  # the status first, without the payloads: most orders do not match
                head = client.get_workflow_state(iid, fetch_payloads=False)
                if head is None or head.runtime_status.name not in query.status:
                    continue
            state = client.get_workflow_state(iid, fetch_payloads=True)
            if state is not None and (not query.status or state.runtime_status.name in query.status):
                found.append(describe(iid.removeprefix(PREFIX), state))
        if not ids.continuation_token:
            return Page(found, None)
        token, skip = ids.continuation_token, 0
