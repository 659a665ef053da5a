"""A supervisor for the suite that can kill -9 and restart any one of its processes.

The control plane comes from scripts/controlplane.sh and each app and its daprd from the
launcher's plan of dapr.locked.yaml (pizza_run), but every process is watched here, so that one
killed process can be started again exactly as it was: same command line, environment and cwd.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx

from pizza_common.names import PORTS, WORKFLOW_APP
from pizza_run.multirun import plan
from tests.faults.procs import Spec, group_alive, listening, snapshot

ROOT = Path(__file__).resolve().parents[2]
CONTROL = ("redis", "sentry", "placement", "scheduler")
CONTROL_PORTS = (6379, 50001, 50005, 50006, 58080, 58081, 58082, 52379, 52380)
HEALTHZ = {"sentry": 58082, "placement": 58080, "scheduler": 58081}


class Cluster:
    """The five apps, their sidecars and the control plane, each process killable on its own."""

    def __init__(self, data: Path, overrides: dict[str, str]) -> None:
        self.data = data
        self.logs = data / "logs"
        venv_bin = str(ROOT / ".venv" / "bin")
        self.env = os.environ | overrides
        # No Zipkin: the drills watch recovery, and every process here must be one this supervisor owns.
        self.env |= {"PIZZA_DATA_DIR": str(data), "DAPR_HOST_IP": "127.0.0.1", "PIZZA_TRACING": "off"}
        self.env["PATH"] = f"{venv_bin}:{self.env.get('PATH', '')}"  # as run.sh: python3 is the venv's
        self.pids: dict[str, int] = {}  # name -> pid, which leads its own process group
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.started: set[int] = set()  # every group started, to prove none is left at the end
        self.http = httpx.Client(timeout=3)

    def start(self, timeout: float = 240) -> None:
        """Start the control plane, then each sidecar and app; return once all answer."""
        busy = [p for p in [*CONTROL_PORTS, *(p for ps in PORTS.values() for p in ps)] if listening(p)]
        if busy:
            raise RuntimeError(f"ports {busy} are taken: this supervisor must own every process")
        self.logs.mkdir(parents=True, exist_ok=True)
        self._tokens()
        self._controlplane()
        self.env["DAPR_TRUST_ANCHORS"] = (self.data / "certs" / "ca.crt").read_text()
        for launch in plan(ROOT / "dapr.locked.yaml", self.env):
            app_dir = str(launch.app.app_dir)
            self._spawn(f"{launch.app.app_id}-daprd", Spec(launch.daprd_argv, launch.daprd_env, app_dir))
            self._spawn(launch.app.app_id, Spec(launch.app_argv, launch.app_env, app_dir))
        self.wait_ready(list(self.pids), timeout)

    def _tokens(self) -> None:
        # Locked down as scripts/run.sh does it: the suite's tokens, unless the environment has them.
        script = ROOT / "scripts" / "tokens.sh"
        if not script.exists():
            return
        made = subprocess.run(["bash", str(script)], env=self.env, check=True, capture_output=True, text=True)
        for line in Path(made.stdout.strip()).read_text().splitlines():
            name, _, value = line.partition("=")
            self.env.setdefault(name, value)

    def _controlplane(self) -> None:
        # The script starts only what is not running, each as it always does: redis-server
        # rewrites its /proc cmdline, so the script is the only faithful record of how.
        subprocess.run(["bash", "scripts/controlplane.sh", "start"], cwd=ROOT, env=self.env, check=True)
        for name in CONTROL:
            pid = int((self.data / "run" / f"{name}.pid").read_text())
            self.pids[name] = pid
            self.started.add(pid)

    def _spawn(self, name: str, spec: Spec) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            proc = subprocess.Popen(
                spec.argv,
                cwd=spec.cwd,
                env=spec.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pids[name], self.children[proc.pid] = proc.pid, proc
        self.started.add(proc.pid)

    def kill(self, name: str) -> Spec | None:
        """Kill -9 a process and its group; return how it was started (None: controlplane.sh knows)."""
        pid = self.pids[name]
        spec = None if name in CONTROL else snapshot(pid)
        os.killpg(pid, signal.SIGKILL)
        self._reap(pid, 30)
        return spec

    def restart(self, name: str, spec: Spec | None, timeout: float = 120) -> None:
        """Start a killed process again as it was, and wait until it answers."""
        if spec is None:
            self._controlplane()
        else:
            self._spawn(name, spec)
        self.wait_ready([name], timeout)

    def _reap(self, pid: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        # Gone means reaped too: the control plane's orphans stay zombies until init reaps them,
        # and controlplane.sh takes a zombie's pid for a running service.
        while group_alive(pid) or (pid not in self.children and Path(f"/proc/{pid}").exists()):
            if pid in self.children:
                self.children[pid].poll()
            if time.monotonic() > deadline:
                raise RuntimeError(f"process group {pid} outlived its kill")
            time.sleep(0.05)
        if pid in self.children:
            self.children.pop(pid).wait()

    def ready(self, name: str) -> bool:
        """Return whether a process does its job: answers its health check or a ping."""
        try:
            if name == "redis":
                with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    return s.recv(64).startswith(b"+PONG")  # not -LOADING while the AOF replays
            if name in HEALTHZ:
                return self.http.get(f"http://127.0.0.1:{HEALTHZ[name]}/healthz").status_code == 200
            app = name.removesuffix("-daprd")
            app_port, dapr_port = PORTS[app]
            if name.endswith("-daprd"):
                return self.http.get(f"http://127.0.0.1:{dapr_port}/v1.0/healthz").status_code == 204
            if self.http.get(f"http://127.0.0.1:{app_port}/healthz").status_code != 200:
                return False
            # A 404 from get-status means the app reached the workflow engine through its sidecar.
            probe = f"http://127.0.0.1:{app_port}/get-status/ready-probe"
            return app != WORKFLOW_APP or self.http.get(probe).status_code == 404
        except (OSError, httpx.HTTPError):
            return False

    def wait_ready(self, names: list[str], timeout: float) -> None:
        """Wait until every named process is ready; fail early if one of them died."""
        deadline = time.monotonic() + timeout
        while not all(self.ready(n) for n in names):
            dead = [n for n in names if not group_alive(self.pids[n])]
            if dead or time.monotonic() > deadline:
                why = f"{dead} exited" if dead else f"not ready after {timeout}s"
                raise RuntimeError(f"{why}: see the logs under {self.logs}")
            time.sleep(0.2)

    def stop(self, sig: signal.Signals = signal.SIGTERM, grace: float = 10) -> None:
        """Stop the apps, then the sidecars, then the control plane; KILL what outlives the grace."""
        tiers = [
            [n for n in self.pids if n not in CONTROL and not n.endswith("-daprd")],
            [n for n in self.pids if n.endswith("-daprd")],
            [n for n in CONTROL if n in self.pids],
        ]
        for tier in tiers:
            pids = [self.pids.pop(n) for n in tier]
            for final in (sig, signal.SIGKILL):
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pid, final)
                deadline = time.monotonic() + grace
                while any(group_alive(p) for p in pids) and time.monotonic() < deadline:
                    time.sleep(0.1)
            for pid in pids:
                self._reap(pid, 30)
        for name in CONTROL:
            (self.data / "run" / f"{name}.pid").unlink(missing_ok=True)

    def leftovers(self) -> list[int]:
        """Return the process groups this supervisor started that still run."""
        return sorted(pgid for pgid in self.started if group_alive(pgid))
