"""Run a run file's apps behind their daprd as `dapr run -f` does, where the Dapr CLI is not installed.

The flags and environments come from `pizza_run.runfile` (the CLI's rules); the processes are laid
out as the CLI lays them: this runner leads its own process group, daprd stays in it, each app
leads a group of its own, and logs go to `<app>/.dapr/logs/`. On purpose it differs in three ways,
each named by the conformance test: the internal gRPC and metrics ports listen on 127.0.0.1
(the CLI cannot set them; across hosts the internal gRPC listens on the host's address, see
pizza_run.hosts), and daprd is stopped with SIGTERM before SIGKILL (the CLI kills it). The
ports a run file leaves open it picks below the OS's ephemeral range (`free_port`).
"""

import contextlib
import logging
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pizza_run import hosts, layout, replicas
from pizza_run.procs import alive, group_alive
from pizza_run.runfile import AppSpec, Ports, app_argv, app_env, dapr_dir, daprd_args, daprd_env, load

log = logging.getLogger("multirun")
# What this runner adds to the CLI's daprd flags: loopback for the two ports the CLI leaves open
# (on one machine; across hosts, pizza_run.hosts gives the host's address instead).
LOOPBACK_EXTRAS = tuple(hosts.daprd_extras({}))
STOP_GRACE_S = 5.0  # the CLI's grace for an app's group, used here for daprd too
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
PICK_LOW, PICK_SPAN, PICK_TRIES = 10_000, 12_000, 200
_handed_out: set[int] = set()  # by this process: two sidecars of one plan never share a port


def _ephemeral_low(path: Path = EPHEMERAL_RANGE) -> int:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().split()[0])
    return 32768  # Linux's default


def free_port() -> int:
    """Return a free port below the OS's ephemeral range, never one handed out before.

    The CLI takes one the OS picks, from that range; a sidecar restarted on it (the crash drills)
    may then find it taken by some outgoing connection. Below the range, only a listener can.
    """
    high = _ephemeral_low()
    low = max(PICK_LOW, high - PICK_SPAN)
    for _ in range(PICK_TRIES):
        port = random.randrange(low, high)
        if port in _handed_out:
            continue
        with socket.socket() as s, contextlib.suppress(OSError):
            s.bind(("", port))
            _handed_out.add(port)
            return port
    raise OSError(f"no free port in {low}-{high - 1} after {PICK_TRIES} tries")


@dataclass
class Launch:
    """One app and its sidecar, ready to start: argv, environment and folder of each."""

    app: AppSpec
    ports: Ports
    daprd_argv: list[str]
    daprd_env: dict[str, str]
    app_argv: list[str]
    app_env: dict[str, str]


def plan(run_file: Path, environ: Mapping[str, str], only: list[str] | None = None) -> list[Launch]:
    """Return what `dapr run -f run_file` would start, with this runner's loopback extras and the
    replicas PIZZA_REPLICAS asks for."""
    launches = []
    for app in replicas.expand(load(run_file, environ), environ):
        if only and app.app_id not in only:
            continue
        ports = Ports.of(app, free_port)
        app.resources_paths = hosts.resources(app.resources_paths, environ)
        daprd = str(dapr_dir(app.shared.get("runtimePath"), environ) / "bin" / "daprd")
        pwd = {"PWD": str(app.app_dir)}  # Go's exec sets it for a child started in a folder
        launches.append(
            Launch(
                app=app,
                ports=ports,
                daprd_argv=hosts.daprd_argv([daprd, *daprd_args(app, ports)], environ),
                daprd_env=daprd_env(environ) | hosts.daprd_env(environ) | pwd,
                app_argv=app_argv(app),
                app_env=app_env(app, ports, environ) | pwd,
            )
        )
    return launches


def _pump(stream: IO[bytes], prefix: str, sink: IO[bytes] | None, console: bool) -> None:
    for line in iter(stream.readline, b""):
        if sink:
            sink.write(line)
            sink.flush()
        if console:
            sys.stdout.write(f"{prefix}{line.decode(errors='replace')}")
            sys.stdout.flush()


def _spawn(
    argv: list[str], cwd: Path, env: dict[str, str], dest: str, prefix: str, log: Path, **popen: Any
) -> "subprocess.Popen[bytes]":
    """Start a child whose output a thread copies where the run file says: console, file or both."""
    read, write = os.pipe()
    sink = log.open("ab") if dest != "console" else None
    threading.Thread(
        target=_pump, args=(os.fdopen(read, "rb"), prefix, sink, dest != "file"), daemon=True
    ).start()
    try:
        return subprocess.Popen(
            argv, cwd=cwd, env=env, stdout=write, stderr=write, stdin=subprocess.DEVNULL, **popen
        )
    finally:
        os.close(write)


def start(launch: Launch, stamp: str) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes] | None]:
    """Start one daprd (in this runner's group) and its app (in a group of its own)."""
    app, logs = launch.app, launch.app.logs_dir()
    logs.mkdir(parents=True, exist_ok=True)
    daprd = _spawn(
        launch.daprd_argv, app.app_dir, launch.daprd_env, app.log_destination("daprd"), "",
        logs / f"{app.app_id}_daprd_{stamp}.log",
    )  # fmt: skip
    proc = None
    if launch.app_argv:
        proc = _spawn(
            launch.app_argv, app.app_dir, launch.app_env, app.log_destination("app"),
            f"== APP - {app.name} == ", logs / f"{app.app_id}_app_{stamp}.log", process_group=0,
        )  # fmt: skip
    log.info(
        "started %s: app pid %s on :%d, daprd pid %d on :%d, metrics on :%d",
        app.name,
        proc.pid if proc else "-",
        launch.ports.app,
        daprd.pid,
        launch.ports.http,
        launch.ports.metrics,
    )
    return daprd, proc


def stop_groups(groups: list[int], pids: list[int], grace: float = STOP_GRACE_S) -> None:
    """SIGTERM the app groups and the daprd pids, then SIGKILL whatever is left after the grace."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pgid in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, sig)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and (any(map(group_alive, groups)) or any(map(alive, pids))):
            time.sleep(0.1)


def run(run_file: Path, only: list[str] | None = None) -> int:
    """Run the apps in the foreground until SIGINT or SIGTERM, or until one of them exits."""
    launches = plan(run_file, os.environ, only)
    if not launches:
        log.error("no app of %s matches %s", run_file, only)
        return 2
    with contextlib.suppress(PermissionError):  # as the CLI: lead a group that holds the sidecars
        os.setpgid(0, 0)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    stamp = time.strftime("%Y%m%d%H%M%S")
    started = [(launch, *start(launch, stamp)) for launch in launches]
    record = layout.record_run(os.getpid(), [_listing(launch, d, a) for launch, d, a in started])
    procs = [p for _, d, a in started for p in (d, a) if p]
    while not stopping.wait(0.5):
        dead = next((p for p in procs if p.poll() is not None), None)
        if dead:
            log.error("process %d exited with %s: stopping the run", dead.pid, dead.returncode)
            break
    log.info("stopping %d processes", len(procs))
    stop_groups([a.pid for _, _, a in started if a], [d.pid for _, d, _ in started])
    record.unlink(missing_ok=True)
    return 0 if stopping.is_set() else 1


def _listing(
    launch: Launch, daprd: subprocess.Popen[bytes], app: subprocess.Popen[bytes] | None
) -> dict[str, object]:
    return {
        "app_id": launch.app.app_id,
        "replica": launch.app.replica,
        "http_port": launch.ports.http,
        "grpc_port": launch.ports.grpc,
        "app_port": launch.ports.app,
        "metrics_port": launch.ports.metrics,
        "internal_grpc_port": launch.ports.internal_grpc,
        "app_pid": app.pid if app else 0,
        "daprd_pid": daprd.pid,
        "app_dir": str(launch.app.app_dir),
    }


def metrics_urls(run_file: Path) -> str:
    """Return one line naming each app's (and replica's) sidecar metrics URL, where the port is fixed."""
    found = [
        f"{app.name} http://127.0.0.1:{app.own['metricsPort']}/metrics"
        for app in replicas.expand(load(run_file, os.environ), os.environ)
        if app.own.get("metricsPort")
    ]
    return ", ".join(found) + "\n" if found else ""


def listing() -> str:
    """Return what runs, in the columns of `dapr list`."""
    rows: list[tuple[str, ...]] = [("APP ID", "HTTP PORT", "GRPC PORT", "APP PORT", "APP PID", "DAPRD PID")]
    keys = ("app_id", "http_port", "grpc_port", "app_port", "app_pid", "daprd_pid")
    rows += [tuple(str(a[k]) for k in keys) for a in layout.running_apps()]
    return "".join(f"{r[0]:<18}" + "".join(f"{c:>10}" for c in r[1:]) + "\n" for r in rows)


def stop_all() -> None:
    """Stop every run of this folder: the stand-in's, as `dapr stop` does, and the CLI's, as Ctrl+C does."""
    apps = layout.running_apps()
    stop_groups(
        [int(str(a["app_pid"])) for a in apps if a["app_pid"]], [int(str(a["daprd_pid"])) for a in apps]
    )
    layout.forget_runs()
    # `dapr stop -f` finds a run through its sidecars' metadata, which the CLI cannot write while the
    # sidecars require DAPR_API_TOKEN (it sends none): SIGINT, as Ctrl+C, stops a CLI run in any profile.
    clis = layout.cli_runs()
    for pid in clis:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(map(alive, clis)):
        time.sleep(0.1)
    for pid in clis:
        log.info("stopped the Dapr CLI's run (pid %d)", pid)
