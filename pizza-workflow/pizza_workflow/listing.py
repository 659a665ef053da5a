"""The orders list, and the purge of finished orders, a page at a time, in the runtime's order."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from dapr.ext.workflow import WorkflowState
from dapr.ext.workflow.workflow_management import WorkflowInstanceIdPage
from pydantic import Field

from pizza_common.contract.models import Contract, Cursor, OrdersQuery
from pizza_workflow.ids import instance_id
from pizza_workflow.views import FINISHED, order_view

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

    def purge_workflow(self, instance_id: str, recursive: bool = True) -> None: ...


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
                found.append(order_view(iid.removeprefix(PREFIX), state))
        if not ids.continuation_token:
            return Page(found, None)
        token, skip = ids.continuation_token, 0


class PurgeQuery(Contract):
    """One page of purging: at most `limit` workflows read, from `cursor` on."""

    limit: Annotated[int, Field(ge=1, le=READ_BUDGET)] = 100
    cursor: Cursor | None = None


@dataclass(frozen=True)
class Purged:
    orders: list[str]
    next: str | None


def purge(client: Lister, query: PurgeQuery) -> Purged:
    """Purge the finished orders among the next `limit` workflows from `cursor` on; return them and the
    cursor after them (None at the end)."""
    token, skip = decode(query.cursor)
    ids = client.list_workflow_instance_ids(page_size=skip + query.limit, continuation_token=token)
    purged: list[str] = []
    for iid in ids.instance_ids[skip:]:
        state = client.get_workflow_state(iid, fetch_payloads=False) if iid.startswith(PREFIX) else None
        if state is not None and state.runtime_status in FINISHED:
            client.purge_workflow(iid)
            purged.append(iid.removeprefix(PREFIX))
    kept = len(ids.instance_ids) - len(purged)
    if ids.continuation_token is None:
        return Purged(sorted(purged), None)
    # The runtime's token is a place in the sorted list as it was: a purge moved what follows forward.
    # Then this page again, past what it keeps; else the runtime's next page.
    after = encode(token, kept) if purged else encode(ids.continuation_token, 0)
    return Purged(sorted(purged), after)
