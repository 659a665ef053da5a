"""Run every app of dapr.yaml behind its own daprd, as `dapr run -f .` does, for machines
where the Dapr CLI cannot be installed. Same flags, same environment, same log files.

    python scripts/multirun.py run [-f dapr.yaml]   # foreground; Ctrl+C stops everything
    python scripts/multirun.py list                 # what runs, like `dapr list`
    python scripts/multirun.py stop                 # stop a run started elsewhere
"""

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO

import yaml

log = logging.getLogger("multirun")
DAPR_BIN = Path(os.environ.get("DAPR_RUNTIME_PATH", Path.home())) / ".dapr" / "bin"
ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Return the suite's data folder, as the scripts choose it: PIZZA_DATA_DIR, else .data."""
    return Path(os.environ.get("PIZZA_DATA_DIR") or ROOT / ".data")


STATE = data_dir() / "run"
# Where the Dapr CLI points a sidecar whose configuration enables mTLS.
SENTRY_ADDRESS = "localhost:50001"


@dataclass
class App:
    app_id: str
    app_dir: Path
    app_port: int
    http_port: int
    grpc_port: int
    internal_grpc_port: int
    metrics_port: int
    command: list[str]
    env: dict[str, str]
    daprd_args: list[str]
    daprd_pid: int = 0
    app_pid: int = 0


def free_port() -> int:
    """Return a port the OS says is free on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_apps(run_file: Path) -> list[App]:
    """Read dapr.yaml into the daprd flags and app environment the Dapr CLI would use."""
    spec = yaml.safe_load(run_file.read_text())
    base = run_file.parent
    common = spec.get("common", {})
    apps = []
    for entry in spec["apps"]:
        cfg = {**common, **entry}
        app = App(
            app_id=cfg["appID"],
            app_dir=(base / cfg["appDirPath"]).resolve(),
            app_port=int(cfg["appPort"]),
            http_port=int(cfg["daprHTTPPort"]),
            grpc_port=int(cfg.get("daprGRPCPort") or free_port()),
            internal_grpc_port=free_port(),
            metrics_port=int(cfg.get("metricsPort") or free_port()),
            command=list(cfg["command"]),
            env={k: str(v) for k, v in (cfg.get("env") or {}).items()},
            daprd_args=[],
        )
        args = [
            "--app-id",
            app.app_id,
            "--app-port",
            str(app.app_port),
            "--app-protocol",
            cfg.get("appProtocol", "http"),
            "--app-channel-address",
            "127.0.0.1",
            "--dapr-http-port",
            str(app.http_port),
            "--dapr-grpc-port",
            str(app.grpc_port),
            "--dapr-internal-grpc-port",
            str(app.internal_grpc_port),
            "--dapr-internal-grpc-listen-address",  # daprd's default is every interface
            "127.0.0.1",
            "--dapr-listen-addresses",
            "127.0.0.1",
            "--metrics-port",
            str(app.metrics_port),
            "--metrics-listen-address",
            "127.0.0.1",
            "--placement-host-address",
            cfg.get("placementHostAddress", "127.0.0.1:50005"),
            "--scheduler-host-address",
            cfg.get("schedulerHostAddress", "127.0.0.1:50006"),
            "--resources-path",
            str((base / cfg["resourcesPath"]).resolve()),
            "--log-level",
            cfg.get("logLevel", "info"),
        ]
        if cfg.get("configFilePath"):
            config = (base / cfg["configFilePath"]).resolve()
            args += ["--config", str(config)]
            if mtls_enabled(config):
                args += ["--enable-mtls", "--sentry-address", SENTRY_ADDRESS]
        if cfg.get("enableAppHealthCheck"):
            args += [
                "--enable-app-health-check",
                "--app-health-check-path",
                cfg.get("appHealthCheckPath", "/healthz"),
            ]
        app.daprd_args = args
        apps.append(app)
    return apps


def mtls_enabled(config: Path) -> bool:
    """Return whether a Dapr configuration turns mTLS on, as the Dapr CLI reads it."""
    spec = (yaml.safe_load(config.read_text()) or {}).get("spec") or {}
    return bool((spec.get("mtls") or {}).get("enabled"))


def daprd_env() -> dict[str, str]:
    """Return a sidecar's environment: ours, with Sentry's trust anchor unless it is set already."""
    env = {**os.environ, "DAPR_HOST_IP": "127.0.0.1"}
    anchors = data_dir() / "certs" / "ca.crt"  # Sentry's root certificate (scripts/controlplane.sh)
    if not env.get("DAPR_TRUST_ANCHORS") and anchors.exists():
        env["DAPR_TRUST_ANCHORS"] = anchors.read_text()
    return env


def app_env(app: App) -> dict[str, str]:
    """Return the app's environment: ours, the yaml's, then the sidecar's addresses."""
    return {
        **os.environ,
        **app.env,
        "APP_ID": app.app_id,
        "APP_PORT": str(app.app_port),
        "APP_CHANNEL_ADDRESS": "127.0.0.1",
        "DAPR_HTTP_PORT": str(app.http_port),
        "DAPR_GRPC_PORT": str(app.grpc_port),
        "DAPR_METRICS_PORT": str(app.metrics_port),
    }


def pump(stream: IO[bytes], prefix: str, sink: Path) -> None:
    """Copy a child's output to the console with a prefix, and to its log file."""
    with sink.open("ab") as out:
        for line in iter(stream.readline, b""):
            out.write(line)
            out.flush()
            sys.stdout.write(f"== {prefix} == {line.decode(errors='replace')}")
            sys.stdout.flush()


def start(apps: list[App]) -> list[subprocess.Popen[bytes]]:
    """Start each daprd and its app, logging as the CLI does under <app>/.dapr/logs."""
    procs = []
    stamp = time.strftime("%Y%m%d%H%M%S")
    for app in apps:
        logs = app.app_dir / ".dapr" / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = daprd_env()
        daprd_log = (logs / f"{app.app_id}_daprd_{stamp}.log").open("ab")
        sidecar = subprocess.Popen(
            [str(DAPR_BIN / "daprd"), *app.daprd_args],
            stdout=daprd_log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        proc = subprocess.Popen(
            app.command,
            cwd=app.app_dir,
            env=app_env(app),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        threading.Thread(
            target=pump,
            args=(proc.stdout, f"APP - {app.app_id}", logs / f"{app.app_id}_app_{stamp}.log"),
            daemon=True,
        ).start()
        app.daprd_pid, app.app_pid = sidecar.pid, proc.pid
        procs += [sidecar, proc]
        log.info(
            "started %s: app pid %d on :%d, daprd pid %d on :%d",
            app.app_id,
            proc.pid,
            app.app_port,
            sidecar.pid,
            app.http_port,
        )
    STATE.mkdir(parents=True, exist_ok=True)
    # One file per run, so that runs in several terminals can be listed and stopped together.
    (STATE / f"multirun-{os.getpid()}.json").write_text(
        json.dumps([asdict(a) | {"app_dir": str(a.app_dir)} for a in apps], indent=1)
    )
    return procs


def stop_pids(pids: list[int], grace: float = 8.0) -> None:
    """Stop process groups: TERM, then KILL what is still there after the grace period."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, sig)
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in pids):
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie child of ours is gone for our purposes
        return os.waitpid(pid, os.WNOHANG) == (0, 0)
    except ChildProcessError:
        return True


def cmd_run(run_file: Path, only: list[str] | None = None) -> int:
    apps = [a for a in load_apps(run_file) if not only or a.app_id in only]
    if not apps:
        log.error("no app of %s matches %s", run_file, only)
        return 2
    procs = start(apps)
    stopping = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.set())
    while not stopping.wait(0.5):
        dead = [p for p in procs if p.poll() is not None]
        if dead:
            log.error("process %d exited with %s: stopping the run", dead[0].pid, dead[0].returncode)
            break
    log.info("stopping %d processes", len(procs))
    stop_pids([p.pid for p in procs])
    (STATE / f"multirun-{os.getpid()}.json").unlink(missing_ok=True)
    return 0 if stopping.is_set() else 1


LIST_KEYS = ("app_id", "http_port", "grpc_port", "app_port", "app_pid", "daprd_pid")


def running_apps() -> list[dict[str, object]]:
    """Return the apps of every run recorded under the state folder."""
    return [app for path in sorted(STATE.glob("multirun-*.json")) for app in json.loads(path.read_text())]


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="== multirun == %(message)s")
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["run", "list", "stop"])
    parser.add_argument("-f", "--run-file", type=Path, default=Path("dapr.yaml"))
    parser.add_argument("--app", action="append", help="run only this app-id (repeatable): one terminal each")
    args = parser.parse_args()
    if args.command == "run":
        return cmd_run(args.run_file, args.app)
    apps = running_apps()
    if args.command == "list":
        rows: list[tuple[str, ...]] = [
            ("APP ID", "HTTP PORT", "GRPC PORT", "APP PORT", "APP PID", "DAPRD PID")
        ]
        rows += [tuple(str(a[k]) for k in LIST_KEYS) for a in apps]
        sys.stdout.write("".join(f"{r[0]:<18}" + "".join(f"{c:>10}" for c in r[1:]) + "\n" for r in rows))
        return 0
    stop_pids([int(a[k]) for a in apps for k in ("app_pid", "daprd_pid")])  # type: ignore[call-overload]
    for path in STATE.glob("multirun-*.json"):
        path.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
