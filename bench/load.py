"""Drive a fixed number of orders through a path at a fixed concurrency."""

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bench.model import OrderRun, order_json

log = logging.getLogger(__name__)
PathFn = Callable[[httpx.AsyncClient, dict[str, Any], OrderRun], Awaitable[None]]


@dataclass
class LevelRun:
    """The orders of one path at one concurrency, and the wall time they took together."""

    path: str
    concurrency: int
    runs: list[OrderRun]
    elapsed_s: float


def order_ids(prefix: str, count: int) -> list[str]:
    """Return count order ids under prefix, in sending order."""
    return [f"{prefix}-{i:05d}" for i in range(count)]


async def _one(path_fn: PathFn, http: httpx.AsyncClient, run: OrderRun, timeout_s: float) -> None:
    try:
        async with asyncio.timeout(timeout_s):
            await path_fn(http, order_json(run.order_id), run)
    except TimeoutError:
        run.lost = True
        run.error = f"no end within {timeout_s:g} s (while {run.phase})"
    except (httpx.HTTPError, ValueError) as exc:  # transport faults and answers that are not JSON
        run.fail(f"{type(exc).__name__}: {exc}")


async def run_level(
    path: str,
    path_fn: PathFn,
    http: httpx.AsyncClient,
    ids: list[str],
    concurrency: int,
    order_timeout_s: float,
    on_done: Callable[[OrderRun], None] | None = None,
) -> LevelRun:
    """Send the orders with `concurrency` of them in flight at any time; return how each went."""
    runs = [OrderRun(order_id) for order_id in ids]
    pending = iter(runs)

    async def worker() -> None:
        for run in pending:  # shared iterator: each order is taken by exactly one worker
            await _one(path_fn, http, run, order_timeout_s)
            if on_done is not None:
                on_done(run)

    began = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(min(concurrency, len(runs))):
            group.create_task(worker())
    elapsed = time.perf_counter() - began
    bad = [r for r in runs if not r.ok]
    for run in bad[:5]:
        log.warning("%s c=%d: order %s: %s", path, concurrency, run.order_id, run.error)
    return LevelRun(path, concurrency, runs, elapsed)
