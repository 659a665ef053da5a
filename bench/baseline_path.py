"""The baseline path: the same services chained by plain Dapr service invocation, no workflow."""

import asyncio
import time
from typing import Any, Final

import httpx

from bench.http import untraced
from bench.load import PathFn
from bench.model import OrderRun
from pizza_common.contract.names import DELIVERY_APP, KITCHEN_APP, STOREFRONT_APP
from pizza_common.contract.statuses import STOREFRONT_STAGES, OrderStatus
from pizza_run.http import invoke_url

# (app, method, the status its answer must carry), in the workflow's order.
CHAIN: Final = (
    (STOREFRONT_APP, "order", STOREFRONT_STAGES[-1][0]),
    (KITCHEN_APP, "cook", OrderStatus.COOKED),
    (DELIVERY_APP, "deliver", OrderStatus.DELIVERED),
)
# A 5xx is a fault the services' contract says to retry (503 "try again", 500 from a sidecar).
# By default the baseline retries it as the workflow's activities do
# (pizza_workflow.saga.SERVICE_RETRY: 6 attempts, 1 s doubling to 30 s).
RETRYABLE: Final = 500
ATTEMPTS: Final = 6
FIRST_RETRY_S: Final = 1.0
MAX_RETRY_S: Final = 30.0


async def _call(
    http: httpx.AsyncClient,
    url: str,
    order: dict[str, Any],
    attempts: int,
    run: OrderRun,
    headers: dict[str, str],
) -> httpx.Response:
    wait = FIRST_RETRY_S
    for attempt in range(1, attempts + 1):
        try:
            resp = await http.post(url, json=order, headers=headers)
        except httpx.TransportError:  # a fault like a 5xx: retried, and raised after the last attempt
            if attempt == attempts:
                raise
        else:
            if resp.status_code < RETRYABLE or attempt == attempts:
                return resp
        run.retries += 1
        await asyncio.sleep(wait)
        wait = min(wait * 2, MAX_RETRY_S)
    raise AssertionError("unreachable")


def runner(retry: bool, traced: bool = True) -> PathFn:
    """Return the baseline path, retrying 503s like the workflow or not at all, traced or not."""
    attempts = ATTEMPTS if retry else 1

    async def run_order(http: httpx.AsyncClient, order: dict[str, Any], run: OrderRun) -> None:
        """Send the order to the storefront, the kitchen and delivery in turn, through a sidecar."""
        run.start()
        headers = {} if traced else untraced()  # one trace per order, as the workflow path's
        for app, method, expected in CHAIN:
            run.phase = f"calling {app}/{method}"
            sent = time.perf_counter()
            resp = await _call(http, invoke_url(app, method), order, attempts, run, headers)
            run.calls_s[app] = time.perf_counter() - sent
            if resp.status_code != 200:
                run.fail(f"{app}/{method} answered {resp.status_code}: {resp.text[:300]}")
                return
            status = resp.json().get("status")
            if status != expected:
                run.fail(f"{app}/{method} answered status {status}, not {expected}")
                return
        run.succeed()

    return run_order
