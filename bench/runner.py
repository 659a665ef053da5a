"""The run: warm up, then each concurrency level through the workflow and the baseline."""

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import httpx
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bench import baseline_path, breakdown, engine, workflow_path
from bench.events import OrderEvents
from bench.floor_path import Floor
from bench.http import client, poll_cap_s, safety_poll_s
from bench.load import LevelRun, PathFn, order_ids, run_level
from bench.model import OrderRun, order_json
from bench.resources import Monitor, Usage
from bench.stats import ratio, summarize
from pizza_common.contract.menu import ingredients_for
from pizza_common.contract.names import KITCHEN_APP
from pizza_run.http import invoke_url

log = logging.getLogger(__name__)
IDLE_CORES: Final = 0.25
SETTLE_MAX_S: Final = 60.0
MAX_RESTOCK: Final = 100_000
RESTOCK_SPARE: Final = 50
FAILURES_KEPT: Final = 20


@dataclass(frozen=True)
class Plan:
    """What to run: orders per concurrency level, which paths, and the time bounds."""

    levels: dict[int, int]
    paths: tuple[str, ...]
    warmup: int
    order_timeout_s: float
    sample: int
    baseline_retry: bool = True
    traced: bool = True

    def path_fn(self, path: str, concurrency: int, events: OrderEvents, floor: Floor | None) -> PathFn:
        """Return the function that sends one order along path at this concurrency."""
        if path == "floor":
            if floor is None:
                raise RuntimeError("the floor path needs the floor app running")
            return floor.path(poll_cap_s(concurrency))
        if path == "baseline":
            return baseline_path.runner(self.baseline_retry, self.traced)
        cap_s, safety_s = poll_cap_s(concurrency), safety_poll_s(concurrency)

        async def run_order(http: httpx.AsyncClient, order: dict[str, Any], run: OrderRun) -> None:
            await workflow_path.run_order(http, events, order, run, cap_s, safety_s)

        return run_order


async def restock(http: httpx.AsyncClient, orders: int) -> None:
    """Make sure the kitchen holds the ingredients of `orders` bench orders, plus a spare."""
    order = order_json("restock")
    need = ingredients_for(order["pizza_type"], order.get("quantity", 1))
    resp = await http.get(invoke_url(KITCHEN_APP, "inventory"))
    resp.raise_for_status()
    levels = resp.json()["ingredients"]
    short = {
        name: units * orders + RESTOCK_SPARE - levels.get(name, {}).get("available", 0)
        for name, units in need.items()
    }
    short = {name: units for name, units in short.items() if units > 0}
    while short:
        batch = {name: min(units, MAX_RESTOCK) for name, units in short.items()}
        resp = await http.post(invoke_url(KITCHEN_APP, "inventory/restock"), json={"items": batch})
        resp.raise_for_status()
        short = {name: units - batch[name] for name, units in short.items() if units > batch[name]}
    log.debug("kitchen stocked for %d orders", orders)


async def settle(monitor: Monitor) -> float:
    """Wait until the suite is idle (events drained), at most SETTLE_MAX_S; return the seconds waited."""
    began = time.monotonic()
    while time.monotonic() - began < SETTLE_MAX_S:
        busy = await asyncio.to_thread(monitor.busy_cores, 0.5)
        if busy < IDLE_CORES:
            break
    else:
        log.warning("the suite was still busy after %g s: going on", SETTLE_MAX_S)
    return time.monotonic() - began


def _cpu_ms_per_order(usage: Usage, orders: int) -> dict[str, float]:
    per_kind = {kind: round(1000 * u.cpu_s / orders, 1) for kind, u in usage.kinds.items()}
    suite_ms = sum(ms for kind, ms in per_kind.items() if kind != "bench")
    return per_kind | {"suite": round(suite_ms, 1)}


def _path_result(
    level: LevelRun, usage: Usage, drain_s: float, parts: dict[str, Any], counts: dict[str, float]
) -> dict[str, Any]:
    runs = level.runs
    latencies = [r.latency_s for r in runs if r.latency_s is not None]
    failed = sum(1 for r in runs if not r.ok and not r.lost)
    lost = sum(1 for r in runs if r.lost)
    summary = summarize(latencies, len(runs), failed, lost, level.elapsed_s)
    return {
        "summary": dataclasses.asdict(summary) | {"valid": summary.valid},
        "drain_s": round(drain_s, 2),
        "retries": sum(r.retries for r in runs),
        "failures": [{"order_id": r.order_id, "error": r.error} for r in runs if not r.ok][:FAILURES_KEPT],
        "resources": dataclasses.asdict(usage),
        "cpu_ms_per_order": _cpu_ms_per_order(usage, len(runs)) if runs else {},
        "engine_per_order": counts,
        "breakdown": parts,
    }


async def _explain(path: str, http: httpx.AsyncClient, runs: list[OrderRun], sample: int) -> dict[str, Any]:
    if path == "workflow":
        return await breakdown.workflow_breakdown(http, runs, sample)
    if path == "baseline":
        return await breakdown.baseline_breakdown(http, runs, sample)
    return {}  # the floor's steps are the engine's alone


def _ratios(level: dict[str, Any]) -> dict[str, float | None]:
    """Return the workflow path's orders/s and p50 over the baseline's and over the floor's."""
    wf = (level.get("workflow") or {}).get("summary")
    found: dict[str, float | None] = {}
    for name, key in (("baseline", ""), ("floor", "floor_")):
        other = (level.get(name) or {}).get("summary")
        if wf and other:
            found[f"{key}throughput"] = ratio(wf["orders_per_s"], other["orders_per_s"])
            found[f"{key}p50"] = ratio(wf["p50_ms"], other["p50_ms"])
    return found


class Runner:
    """Runs a plan against a ready suite, adding each level's results as they come."""

    def __init__(
        self, plan: Plan, monitor: Monitor, run_id: str, results: dict[str, Any], auth: httpx.Auth
    ) -> None:
        self.plan = plan
        self.auth = auth
        self.monitor = monitor
        self.run_id = run_id
        self.results = results
        self.check: Callable[[], None] = lambda: None
        self.events = OrderEvents()
        self.floor: Floor | None = None
        self.metrics_ports: dict[str, list[int]] = {}

    async def run(self) -> None:
        """Warm up each path, then run every level of the plan."""
        top = max(self.plan.levels)
        async with client(top, self.auth) as http:
            follow = asyncio.create_task(self.events.follow(http))
            try:
                await self._run(http)
            finally:
                follow.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await follow

    async def _run(self, http: httpx.AsyncClient) -> None:
        await self._warm_up(http)
        for concurrency, orders in self.plan.levels.items():
            level: dict[str, Any] = {"concurrency": concurrency, "orders": orders}
            self.results["levels"].append(level)
            for path in self.plan.paths:
                level[path] = await self._level(http, path, concurrency, orders)
                self.check()
            level["ratio"] = _ratios(level)

    async def _warm_up(self, http: httpx.AsyncClient) -> None:
        if self.plan.warmup <= 0:
            return
        await restock(http, self.plan.warmup * len(self.plan.paths))
        for path in self.plan.paths:
            ids = order_ids(f"{self.run_id}-warm-{path[:2]}", self.plan.warmup)
            path_fn = self.plan.path_fn(path, 1, self.events, self.floor)
            done = await run_level(path, path_fn, http, ids, 1, self.plan.order_timeout_s)
            bad = [r for r in done.runs if not r.ok]
            if bad:
                raise RuntimeError(f"warm-up of the {path} path failed: {bad[0].order_id}: {bad[0].error}")
            log.info("warmed up the %s path with %d orders", path, self.plan.warmup)

    async def _level(
        self, http: httpx.AsyncClient, path: str, concurrency: int, orders: int
    ) -> dict[str, Any]:
        await restock(http, orders)
        await settle(self.monitor)
        ids = order_ids(f"{self.run_id}-{path[:2]}{concurrency}", orders)
        log.info("%s path: %d orders, %d at a time", path, orders, concurrency)
        columns = (
            TextColumn(f"{path} c={concurrency}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        before = await asyncio.to_thread(engine.scrape, self.metrics_ports)
        with Progress(*columns, transient=True) as progress, self.monitor.window() as usage:
            task = progress.add_task(path, total=orders)
            level = await run_level(
                path,
                self.plan.path_fn(path, concurrency, self.events, self.floor),
                http,
                ids,
                concurrency,
                self.plan.order_timeout_s,
                on_done=lambda _: progress.advance(task),
            )
            drain_s = await settle(self.monitor)
        after = await asyncio.to_thread(engine.scrape, self.metrics_ports)
        counts = engine.per_order(before, after, len(level.runs))
        parts = await _explain(path, http, level.runs, self.plan.sample)
        result = _path_result(level, usage, drain_s, parts, counts)
        s = result["summary"]
        log.info(
            "%s c=%d: %d/%d ok, %d failed, %d lost, %.2f orders/s, p50 %s ms, p95 %s ms, p99 %s ms",
            path, concurrency, s["ok"], s["orders"], s["failed"], s["lost"],
            s["orders_per_s"], s["p50_ms"], s["p95_ms"], s["p99_ms"],
        )  # fmt: skip
        return result
