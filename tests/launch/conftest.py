"""Start the suite as a user does in a terminal, and see what it leaves behind."""

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pizza_common.contract.names import PORTS
from pizza_run import health
from pizza_run.ports import CONTROL_PLANE, app_ports
from tests.launch.normal import ROOT

SUITE_PORTS = (*app_ports(), *(s.port for s in CONTROL_PLANE.values()))
SUITE_PROCESSES = ("daprd", "placement", "scheduler", "sentry", "redis-server", "app.py", "pizza_run", "dapr")
TOKENS = ("DAPR_API_TOKEN", "APP_API_TOKEN", "DAPR_TRUST_ANCHORS")


def _as_a_terminal_job() -> None:
    # A shell gives its foreground job the default dispositions; a background job ignores SIGINT.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def in_terminal(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a command as a terminal's foreground job: its own process group, default signals."""
    with log.open("wb") as out:
        return subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_as_a_terminal_job,  # noqa: PLW1509  (only resets two signals)
        )


def ctrl_c(proc: subprocess.Popen[bytes]) -> None:
    """Press Ctrl+C: SIGINT to the foreground job's whole process group."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)


def user_env(data: Path, **extra: str) -> dict[str, str]:
    """Return a user's environment: no suite tokens, the project's venv first, a data folder of the test's."""
    env = {k: v for k, v in os.environ.items() if k not in TOKENS}
    env["PATH"] = f"{ROOT / '.venv' / 'bin'}:{env.get('PATH', '')}"
    return env | {"PIZZA_DATA_DIR": str(data), "PIZZA_TIME_SCALE": "0"} | extra


def runner() -> list[str]:
    """Return `dapr run -f` as a user types it: the real CLI where it is on PATH, else its stand-in."""
    return ["dapr", "run", "-f"] if shutil.which("dapr") else ["python", "-m", "pizza_run", "run", "-f"]


def wait_ready(proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> float:
    """Poll until every app is ready (the workflow's engine answers); return the seconds it took."""
    started = time.monotonic()
    with httpx.Client(timeout=2) as http:
        while time.monotonic() - started < timeout:
            if proc.poll() is not None:
                pytest.fail(f"exited with {proc.returncode} before it was ready:\n{log.read_text()[-3000:]}")
            if health.waiting_for(http, list(PORTS)) is None:
                return time.monotonic() - started
            time.sleep(0.2)
    pytest.fail(f"not ready within {timeout} s:\n{log.read_text()[-3000:]}")


def suite_pids() -> dict[int, str]:
    """Return every process of a suite on this machine, by pid: daprd, the apps, the control plane."""
    found = {}
    ours = os.readlink("/proc/self/ns/mnt")
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            # A container's processes (a Kubernetes cluster's daprd, say) are not a suite's to count or kill.
            if os.readlink(cmdline.parent / "ns" / "mnt") != ours:
                continue
            argv = cmdline.read_bytes().split(b"\0")
            text = b" ".join(argv).decode(errors="replace")
            name = Path(argv[0].decode(errors="replace")).name
            if name in SUITE_PROCESSES or any(f" {p}" in text for p in ("app.py", "pizza_run")):
                found[int(cmdline.parent.name)] = text[:120]
    found.pop(os.getpid(), None)
    return found


def listening(ports: tuple[int, ...] = SUITE_PORTS) -> list[int]:
    """Return which of the ports something listens on, on any address."""
    out = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True, check=True).stdout
    taken = {int(line.split()[3].rsplit(":", 1)[1]) for line in out.splitlines() if line.strip()}
    return sorted(taken & set(ports))


@pytest.fixture
def nothing_running() -> Iterator[None]:
    """Insist on a machine with no suite running, and leave it so, whatever the test did."""
    assert not listening(), f"ports {listening()} are taken: stop the running suite first (make stop)"
    yield
    strays = suite_pids()
    for pid in strays:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while listening() and time.monotonic() < deadline:  # so that the next test finds the ports free
        time.sleep(0.1)
    assert not strays, f"left running: {strays}"
