"""A supervisor for the suite that can kill -9 and restart any one of its processes (the crash drills').

The control plane comes from scripts/controlplane.sh and each app and its daprd from the
launcher's plan of dapr.locked.yaml (pizza_run.multirun), but every process is watched here, so that
one killed process can be started again exactly as it was: same command line, environment and cwd.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from pizza_run import health, layout, replicas
from pizza_run.http import TokenAuth
from pizza_run.layout import REDIS_PASSWORD
from pizza_run.multirun import plan
from pizza_run.ports import CONTROL_PLANE, app_ports, busy, control_ports
from pizza_run.procs import Spec, group_alive, snapshot


class Cluster:
    """The five apps (and their replicas), their sidecars and the control plane, each process killable
    on its own; a process's output goes to `<data>/logs/<name>.log`."""

    def __init__(self, data: Path, overrides: dict[str, str]) -> None:
        self.data = data
        self.logs = data / "logs"
        venv_bin = str(layout.ROOT / ".venv" / "bin")
        self.env = os.environ | overrides
        # No Zipkin: the drills watch recovery, and every process here must be one this supervisor owns.
        self.env |= {"PIZZA_DATA_DIR": str(data), "DAPR_HOST_IP": "127.0.0.1", "PIZZA_TRACING": "off"}
        self.env["PATH"] = f"{venv_bin}:{self.env.get('PATH', '')}"  # as run.sh: python3 is the venv's
        self.pids: dict[str, int] = {}  # name -> pid, which leads its own process group
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.started: set[int] = set()  # every group started, to prove none is left at the end
        self.env |= layout.load_tokens(self.env)  # locked down as scripts/run.sh does it
        self.http = httpx.Client(timeout=3, auth=TokenAuth(self.env))

    def start(self, timeout: float = 240) -> None:
        """Start the control plane, then each sidecar and app; return once the whole suite answers."""
        taken = busy([*control_ports(), *app_ports()])
        if taken:
            raise RuntimeError(f"ports {taken} are taken: this supervisor must own every process")
        self.logs.mkdir(parents=True, exist_ok=True)
        self._controlplane()
        self.env["DAPR_TRUST_ANCHORS"] = layout.trust_anchors(self.data)
        for launch in plan(layout.ROOT / "dapr.locked.yaml", self.env):
            name, app_dir = launch.app.name, str(launch.app.app_dir)  # pizza-kitchen.2 for a replica
            self._spawn(health.sidecar(name), Spec(launch.daprd_argv, launch.daprd_env, app_dir))
            self._spawn(name, Spec(launch.app_argv, launch.app_env, app_dir))
        password, extra = self.env.get(REDIS_PASSWORD), replicas.names(self.env)
        self._wait(lambda: health.suite_waiting_for(self.http, password, extra), list(self.pids), timeout)

    def _controlplane(self) -> None:
        # The script starts only what is not running, each as it always does: redis-server
        # rewrites its /proc cmdline, so the script is the only faithful record of how.
        subprocess.run(
            ["bash", "scripts/controlplane.sh", "start"], cwd=layout.ROOT, env=self.env, check=True
        )
        for name in CONTROL_PLANE:
            pid = int(layout.pid_file(name, self.data).read_text())
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
        spec = None if name in CONTROL_PLANE else snapshot(pid)
        os.killpg(pid, signal.SIGKILL)
        self._reap(pid, 30)
        return spec

    def restart(self, name: str, spec: Spec | None, timeout: float = 120) -> None:
        """Start a killed process again as it was, and wait until it answers."""
        if spec is None:
            self._controlplane()
        else:
            self._spawn(name, spec)
        password = self.env.get(REDIS_PASSWORD)
        self._wait(lambda: health.waiting_for(self.http, [name], password), [name], timeout)

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

    def _wait(self, pending: Callable[[], str | None], names: list[str], timeout: float) -> None:
        """Wait until `pending` names nothing; fail early if one of the named processes died."""

        def exited() -> str | None:
            dead = [n for n in names if not group_alive(self.pids[n])]
            return f"{dead} exited: see the logs under {self.logs}" if dead else None

        health.wait(pending, exited, timeout, self.logs)

    def stop(self, sig: signal.Signals = signal.SIGTERM, grace: float = 10) -> None:
        """Stop the apps, then the sidecars, then the control plane; KILL what outlives the grace."""
        sidecars = [n for n in self.pids if n not in CONTROL_PLANE and n.endswith(health.SIDECAR)]
        tiers = [
            [n for n in self.pids if n not in CONTROL_PLANE and n not in sidecars],
            sidecars,
            [n for n in CONTROL_PLANE if n in self.pids],
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
        for name in CONTROL_PLANE:
            layout.pid_file(name, self.data).unlink(missing_ok=True)

    def leftovers(self) -> list[int]:
        """Return the process groups this supervisor started that still run."""
        return sorted(pgid for pgid in self.started if group_alive(pgid))
