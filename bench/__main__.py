"""`python -m bench`: start the suite, run the plan, stop the suite, write and show the results."""

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Final

from rich.console import Console
from rich.logging import RichHandler

from bench import floor_path, report
from bench.model import PATHS
from bench.resources import Monitor
from bench.runner import Plan, Runner
from pizza_common.service.settings import Settings
from pizza_run import layout, suite

log = logging.getLogger("bench")
LEVELS: Final = (1, 8, 32, 64)
ORDERS: Final = 500
# 500 orders per path by default, spread over the levels rather than 500 at each, which would take
# the workflow path alone a long time on a small machine (docs/benchmark.md has the timings);
# --orders and --plan change it.
DEFAULT_PLAN: Final = "1:50,8:150,32:150,64:150"


def parse_plan(text: str) -> dict[int, int]:
    """Parse 'concurrency:orders,...' into an ordered mapping."""
    plan: dict[int, int] = {}
    for item in text.split(","):
        concurrency, _, orders = item.partition(":")
        plan[int(concurrency)] = int(orders or ORDERS)
    if not plan or min(plan) < 1 or min(plan.values()) < 1:
        raise argparse.ArgumentTypeError(f"bad plan {text!r}: want e.g. 1:100,8:500")
    return plan


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Return the command line's options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--plan",
        type=parse_plan,
        default=parse_plan(DEFAULT_PLAN),
        help=f"concurrency:orders per level (default {DEFAULT_PLAN})",
    )
    parser.add_argument("--orders", type=int, help="the same number of orders at every level of --levels")
    parser.add_argument(
        "--levels",
        type=lambda t: [int(c) for c in t.split(",")],
        help=f"concurrency levels, with --orders (default {','.join(map(str, LEVELS))})",
    )
    parser.add_argument("--paths", default=",".join(PATHS), help="workflow,baseline,floor or some of them")
    parser.add_argument("--warmup", type=int, default=5, help="orders per path before measuring (default 5)")
    parser.add_argument(
        "--sample", type=int, default=10, help="orders per level in the breakdown (default 10)"
    )
    parser.add_argument("--order-timeout", type=float, default=240, help="seconds before an order is lost")
    parser.add_argument("--deadline", type=float, default=900, help="seconds for the whole run (default 900)")
    parser.add_argument("--ready-timeout", type=float, default=180, help="seconds for the suite to start")
    parser.add_argument("--results", type=Path, default=layout.ROOT / "results", help="folder of the results")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=layout.data_dir(),
        help="the suite's data folder (default $PIZZA_DATA_DIR or .data)",
    )
    parser.add_argument(
        "--no-baseline-retry",
        dest="baseline_retry",
        action="store_false",
        help="fail a baseline order on its first 503 instead of retrying as the workflow does",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.orders is not None or args.levels is not None:
        args.plan = dict.fromkeys(args.levels or LEVELS, args.orders or ORDERS)
    args.paths = tuple(p for p in args.paths.split(",") if p)
    unknown = set(args.paths) - set(PATHS)
    if unknown or not args.paths:
        parser.error(f"unknown paths {sorted(unknown)}: choose from {list(PATHS)}")
    return args


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


async def _run(runner: Runner, seconds: float) -> None:
    """Run within the deadline; on SIGINT or SIGTERM, cancel it cleanly and raise KeyboardInterrupt."""
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()
    stopped: list[int] = []

    def stop(signum: int) -> None:
        stopped.append(signum)
        if main_task is not None:
            main_task.cancel()

    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            loop.add_signal_handler(signum, stop, signum)
    try:
        await asyncio.wait_for(runner.run(), seconds)
    except asyncio.CancelledError:
        if stopped:
            raise KeyboardInterrupt(f"signal {stopped[0]}") from None
        raise


def _verdict(results: dict[str, Any]) -> tuple[bool, str]:
    bad = []
    for level in results["levels"]:
        for path in PATHS:
            s = (level.get(path) or {}).get("summary")
            if s is not None and not s["valid"]:
                bad.append(f"{path} c={level['concurrency']}: {s['failed']} failed, {s['lost']} lost")
    if results.get("aborted"):
        return False, f"aborted: {results['aborted']}"
    if bad:
        return False, "; ".join(bad)
    return True, "every order of every level was delivered"


def main(argv: list[str]) -> int:
    """Run the bench; return 0 for a valid run, 1 for failed orders, 2 when aborted."""
    args = parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=160)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    signal.signal(signal.SIGTERM, _interrupt)
    began = time.monotonic()
    run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    out = args.results / f"bench-{run_id}"
    traced = Settings().tracing != "off"
    plan = Plan(
        args.plan, args.paths, args.warmup, args.order_timeout, args.sample, args.baseline_retry, traced
    )
    results: dict[str, Any] = {
        "run_id": run_id,
        "started_at": datetime.now(UTC).isoformat(),
        "plan": {
            "levels": {str(c): n for c, n in plan.levels.items()},
            "paths": list(plan.paths),
            "warmup": plan.warmup,
            "baseline_retry": plan.baseline_retry,
            "sample": plan.sample,
            "order_timeout_s": plan.order_timeout_s,
            "deadline_s": args.deadline,
            "time_scale": 0,
            "tracing": "on" if traced else "off",
        },
        "levels": [],
        "aborted": None,
    }
    log.info("bench %s: plan %s, paths %s, results in %s", run_id, plan.levels, plan.paths, out)
    env = {"PIZZA_TIME_SCALE": "0", "PIZZA_VALIDATION_TIMEOUT_S": "3600"}
    try:
        ready_s = min(args.ready_timeout, args.deadline)
        with contextlib.ExitStack() as stack:
            running = stack.enter_context(suite.running(out / "suite.log", args.data_dir, env, ready_s))
            runner = Runner(plan, Monitor(running.pids), run_id, results, running.auth())
            if "floor" in plan.paths:
                floor_log = out / "floor.log"
                runner.floor = stack.enter_context(floor_path.running(running, floor_log, traced))
            results["startup_s"] = round(time.monotonic() - began, 1)
            runner.check = running.check_alive
            runner.metrics_ports = running.metrics_ports()
            remaining = args.deadline - (time.monotonic() - began)
            try:
                asyncio.run(_run(runner, remaining))
            except TimeoutError:
                results["aborted"] = f"the global deadline of {args.deadline:g} s was reached"
    except KeyboardInterrupt:
        results["aborted"] = "interrupted"
    except (suite.SuiteError, RuntimeError, OSError) as exc:
        log.error("%s", exc)
        results["aborted"] = str(exc).splitlines()[0]
    results["wall_s"] = round(time.monotonic() - began, 1)
    results["valid"], results["verdict"] = _verdict(results)
    report.write_json(results, out / "results.json")
    if results["levels"]:
        report.write_plot(results, out / "results.png")
    report.show(results, console)
    log.info("results: %s", out)
    if results["aborted"]:
        return 2
    return 0 if results["valid"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
