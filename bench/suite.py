"""Start the suite as scripts/run.sh does, wait until it answers, and stop all it started."""

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from bench.http import LOCALHOST, TokenAuth, app_url, invoke_url, sidecar_url
from pizza_common.names import PORTS, WORKFLOW_APP
from pizza_run.layout import alive

log = logging.getLogger(__name__)
ROOT: Final = Path(__file__).resolve().parent.parent
# pid file name -> process kind
CONTROL_PLANE: Final = {
    "redis": "redis-server",
    "sentry": "sentry",
    "placement": "placement",
    "scheduler": "scheduler",
}
STOP_GRACE_S: Final = 60.0


class SuiteError(RuntimeError):
    """The suite could not be started, or stopped answering."""


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((LOCALHOST, port)) == 0


@dataclass
class Suite:
    """A running suite: the run.sh process group, its log, and its data folder."""

    proc: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path
    tokens: dict[str, str]

    def auth(self) -> TokenAuth:
        """Return the auth that sends the suite's tokens to its sidecars and apps."""
        return TokenAuth(self.tokens)

    def pids(self) -> dict[int, str]:
        """Return the pid of each process the suite started, labelled kind:name."""
        run = self.data_dir / "run"
        found: dict[int, str] = {}
        for name, kind in CONTROL_PLANE.items():
            with contextlib.suppress(OSError, ValueError):
                found[int((run / f"{name}.pid").read_text())] = f"{kind}:{name}"
        for state in sorted(run.glob("multirun*.json")):  # the stand-in's record of what it started
            with contextlib.suppress(OSError, ValueError, KeyError):
                for app in json.loads(state.read_text()):
                    found[int(app["app_pid"])] = f"app:{app['app_id']}"
                    found[int(app["daprd_pid"])] = f"daprd:{app['app_id']}"
        return found

    def tail(self, lines: int = 8) -> str:
        """Return the last lines of the suite's log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def check_alive(self) -> None:
        """Raise SuiteError if run.sh has exited."""
        if self.proc.poll() is not None:
            raise SuiteError(
                f"the suite exited with {self.proc.returncode} (see {self.log_path}):\n{self.tail()}"
            )


def _ready(http: httpx.Client) -> str | None:
    """Return what is not ready yet, or None when the whole suite answers."""
    for app_id, (app_port, dapr_port) in PORTS.items():
        if http.get(f"{app_url(app_id)}/healthz").status_code != 200:
            return f"{app_id} on :{app_port}"
        if http.get(f"{sidecar_url(app_id)}/healthz").status_code != 204:
            return f"the sidecar of {app_id} on :{dapr_port}"
        # Through the workflow's sidecar: name resolution works and the sidecar sees the app healthy.
        if http.get(invoke_url(app_id, "healthz")).status_code != 200:
            return f"invocation of {app_id} through the sidecar of {WORKFLOW_APP}"
    # A 404 for an unknown order means the workflow app reached the workflow engine.
    if http.get(f"{app_url(WORKFLOW_APP)}/get-status/bench-ready-probe").status_code != 404:
        return "the workflow engine"
    return None


def wait_ready(suite: Suite, timeout_s: float) -> None:
    """Poll until every app, sidecar and the workflow engine answer; raise at the deadline."""
    deadline = time.monotonic() + timeout_s
    waiting: str | None = "the suite"
    with httpx.Client(timeout=2, auth=suite.auth()) as http:
        while time.monotonic() < deadline:
            suite.check_alive()
            try:
                waiting = _ready(http)
            except httpx.HTTPError as exc:
                waiting = f"{waiting} ({type(exc).__name__})"
            if waiting is None:
                return
            time.sleep(0.2)
    raise SuiteError(f"not ready within {timeout_s:g} s: waiting for {waiting}; see {suite.log_path}")


def load_tokens(data_dir: Path) -> dict[str, str]:
    """Return the suite's tokens, made by scripts/tokens.sh as run.sh does (none without the script)."""
    script = ROOT / "scripts" / "tokens.sh"
    if not script.exists():
        return {}
    env = os.environ | {"PIZZA_DATA_DIR": str(data_dir)}
    made = subprocess.run(
        ["bash", str(script)], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    text = Path(made.stdout.strip()).read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def start(log_path: Path, data_dir: Path, env: dict[str, str]) -> Suite:
    """Start scripts/run.sh in its own process group, logging to log_path."""
    busy = [p for ports in PORTS.values() for p in ports if _listening(p)]
    if busy:
        raise SuiteError(f"ports {busy} are in use: stop the running suite first (make stop)")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    tokens = load_tokens(data_dir)
    full_env = os.environ | tokens | env | {"PIZZA_DATA_DIR": str(data_dir)}
    with log_path.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    log.info("started the suite (run.sh pid %d), log %s, data %s", proc.pid, log_path, data_dir)
    return Suite(proc, log_path, data_dir, tokens)


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
def running(log_path: Path, data_dir: Path, env: dict[str, str], ready_s: float) -> Iterator[Suite]:
    """Run the suite for the duration of the block, stopping it however the block ends."""
    suite = start(log_path, data_dir, env)
    started: dict[int, str] = {}
    try:
        wait_ready(suite, ready_s)
        started = suite.pids()
        yield suite
    finally:
        started |= suite.pids()
        stop(suite, started)
