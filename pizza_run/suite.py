"""Start the suite as scripts/run.sh does (`make run`), wait until it answers, and stop all it started."""

import contextlib
import json
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from pizza_run import health, layout, replicas
from pizza_run.http import TokenAuth
from pizza_run.layout import REDIS_PASSWORD
from pizza_run.ports import CONTROL_PLANE, SIDECAR_METRICS, app_ports, busy
from pizza_run.procs import alive

log = logging.getLogger(__name__)
STOP_GRACE_S: Final = 60.0
BESIDE_START_S: Final = 30.0


class SuiteError(RuntimeError):
    """The suite could not be started, or stopped answering."""


@dataclass
class Suite:
    """A running suite: the run.sh process group, its log, and its data folder."""

    proc: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    tokens: dict[str, str]
    env: dict[str, str]

    def auth(self) -> TokenAuth:
        """Return the auth that sends the suite's tokens to its sidecars and apps."""
        return TokenAuth(self.tokens)

    def pids(self) -> dict[int, str]:
        """Return the pid of each process the suite started, labelled kind:name."""
        found: dict[int, str] = {}
        for name, service in CONTROL_PLANE.items():
            with contextlib.suppress(OSError, ValueError):
                found[int(layout.pid_file(name, self.data_dir).read_text())] = f"{service.kind}:{name}"
        for app in self.apps():
            with contextlib.suppress(ValueError, KeyError):
                found[int(str(app["app_pid"]))] = f"app:{app['app_id']}"
                found[int(str(app["daprd_pid"]))] = f"daprd:{app['app_id']}"
        return found

    def apps(self) -> list[dict[str, object]]:
        """Return the stand-in's record of each app it started: ports, pids and folder."""
        found: list[dict[str, object]] = []
        for state in sorted(layout.runs_dir(self.data_dir).glob("multirun*.json")):
            with contextlib.suppress(OSError, ValueError):
                found += json.loads(state.read_text())
        return found

    def metrics_ports(self) -> dict[str, list[int]]:
        """Return the Prometheus ports of the sidecars and of the control plane, by process kind:
        the run file's, which the Dapr CLI serves too, and any more the stand-in recorded."""
        recorded = {int(str(a["metrics_port"])) for a in self.apps() if a.get("metrics_port")}
        ports = {"daprd": sorted(recorded | set(SIDECAR_METRICS.values()))}
        for service in CONTROL_PLANE.values():
            if service.metrics:
                ports.setdefault(service.kind, []).append(service.metrics)
        return ports

    def tail(self, lines: int = 8) -> str:
        """Return the last lines of the suite's log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def exited(self) -> str | None:
        """Return how run.sh exited, with the end of its log, or None while it runs."""
        if self.proc.poll() is None:
            return None
        return f"the suite exited with {self.proc.returncode} (see {self.log_path}):\n{self.tail()}"

    def check_alive(self) -> None:
        """Raise SuiteError if run.sh has exited."""
        gone = self.exited()
        if gone:
            raise SuiteError(gone)


def wait_ready(suite: Suite, timeout_s: float) -> None:
    """Poll until every process does its job and the apps reach each other; raise at the deadline."""
    with httpx.Client(timeout=2, auth=suite.auth()) as http:
        try:
            password = suite.tokens.get(REDIS_PASSWORD)
            health.wait(
                lambda: health.suite_waiting_for(http, password, replicas.names(suite.env)),
                suite.exited,
                timeout_s,
                suite.log_path,
            )
        except health.NotReady as exc:
            raise SuiteError(str(exc)) from None


def start(log_path: Path, data_dir: Path, env: dict[str, str], root: Path = layout.ROOT) -> Suite:
    """Start root's scripts/run.sh (this checkout's, or a release's) in its own process group."""
    taken = busy(app_ports())
    if taken:
        raise SuiteError(f"ports {taken} are in use: stop the running suite first (make stop)")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = os.environ | env | {"PIZZA_DATA_DIR": str(data_dir)}
    tokens = layout.load_tokens(full_env)
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=root,
            env=full_env | tokens,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    log.info("started the suite (run.sh pid %d), log %s, data %s", proc.pid, log_path, data_dir)
    return Suite(proc, log_path, data_dir, tokens, full_env | tokens)


def stop(suite: Suite, started: dict[int, str]) -> None:
    """Stop run.sh's group as Ctrl+C would, then make sure none of `started` outlives it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(suite.proc.pid, signal.SIGTERM)
    try:
        suite.proc.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        log.warning("run.sh did not stop within %g s: killing its group", STOP_GRACE_S)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(suite.proc.pid, signal.SIGKILL)
        suite.proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in started):
        time.sleep(0.1)
    strays = {pid: label for pid, label in started.items() if alive(pid)}
    for pid, label in strays.items():
        log.warning("%s (pid %d) outlived the suite: killing it", label, pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # each was started in its own session
    log.info("stopped the suite")


@contextlib.contextmanager
def running(
    log_path: Path, data_dir: Path, env: dict[str, str], ready_s: float, root: Path = layout.ROOT
) -> Iterator[Suite]:
    """Run the suite for the duration of the block, stopping it however the block ends."""
    suite = start(log_path, data_dir, env, root)
    started: dict[int, str] = {}
    try:
        wait_ready(suite, ready_s)
        started = suite.pids()
        yield suite
    finally:
        started |= suite.pids()
        stop(suite, started)


@contextlib.contextmanager
def beside(suite: Suite, run_file: Path, log_path: Path) -> Iterator[list[dict[str, object]]]:
    """Run another run file's apps on the suite's control plane for the block; yield their records.

    The stand-in runs them with the environment run.sh gives the suite's own apps.
    """
    venv_bin = str(layout.ROOT / ".venv" / "bin")
    env = suite.env | {
        "DAPR_TRUST_ANCHORS": layout.trust_anchors(suite.data_dir),
        "PATH": f"{venv_bin}:{suite.env.get('PATH', '')}",
    }
    with log_path.open("ab") as out:
        proc = subprocess.Popen(
            [f"{venv_bin}/python", "-m", "pizza_run", "run", "-f", str(run_file)],
            cwd=layout.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    record = layout.runs_dir(suite.data_dir) / f"multirun-{proc.pid}.json"
    try:
        deadline = time.monotonic() + BESIDE_START_S
        while not record.exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SuiteError(f"{run_file} did not start (see {log_path})")
            time.sleep(0.1)
        yield list(json.loads(record.read_text()))
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
