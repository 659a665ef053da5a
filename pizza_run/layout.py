"""Where the suite keeps its things: the data folder, its tokens, and the record of each run of the runner."""

import contextlib
import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from pizza_run.procs import alive

ROOT = Path(__file__).resolve().parent.parent


# The password of the suite's Redis: tokens.sh makes it, controlplane.sh gives it to Redis, and the
# components read it from daprd's environment (envRef).
REDIS_PASSWORD = "PIZZA_REDIS_PASSWORD"


def data_dir() -> Path:
    """Return the suite's data folder: PIZZA_DATA_DIR, else .data at the top."""
    return Path(os.environ.get("PIZZA_DATA_DIR") or ROOT / ".data")


def runs_dir(data: Path | None = None) -> Path:
    """Return the folder of the pid files (scripts/controlplane.sh's) and the runner's records."""
    return (data or data_dir()) / "run"


def pid_file(name: str, data: Path | None = None) -> Path:
    """Return where scripts/controlplane.sh keeps the pid of one process of the control plane."""
    return runs_dir(data) / f"{name}.pid"


def trust_anchors(data: Path | None = None) -> str:
    """Return the root certificate of the suite's Sentry, which every sidecar trusts (DAPR_TRUST_ANCHORS)."""
    return ((data or data_dir()) / "certs" / "ca.crt").read_text()


def saved_token(name: str) -> str | None:
    """Return a secret of the suite from the environment, else from tokens.sh's file if it was made."""
    if os.environ.get(name):
        return os.environ[name]
    with contextlib.suppress(OSError):
        for line in (data_dir() / "tokens.env").read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep and key == name:
                return value
    return None


def load_tokens(environ: Mapping[str, str]) -> dict[str, str]:
    """Return the suite's tokens as scripts/run.sh loads them: those in environ, else tokens.sh's file."""
    script = ROOT / "scripts" / "tokens.sh"
    if not script.exists():
        return {}
    made = subprocess.run(
        ["bash", str(script)], cwd=ROOT, env=dict(environ), capture_output=True, text=True, check=True
    )
    pairs = [line.partition("=") for line in Path(made.stdout.strip()).read_text().splitlines()]
    return {name: environ.get(name) or value for name, sep, value in pairs if sep}


def record_run(pid: int, apps: list[dict[str, object]]) -> Path:
    """Record what one runner started, so that runs in several terminals are listed and stopped together."""
    runs_dir().mkdir(parents=True, exist_ok=True)
    path = runs_dir() / f"multirun-{pid}.json"
    path.write_text(json.dumps(apps, indent=1))
    return path


def running_apps() -> list[dict[str, object]]:
    """Return the apps of every run recorded whose runner is still alive."""
    apps: list[dict[str, object]] = []
    for path in sorted(runs_dir().glob("multirun-*.json")):
        with contextlib.suppress(OSError, ValueError):
            if alive(int(path.stem.split("-", 1)[1])):
                apps += json.loads(path.read_text())
    return apps


def cli_runs() -> list[int]:
    """Return the pids of the `dapr run` processes started from this folder: the CLI's runs of the suite."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, UnicodeDecodeError):
            argv = proc.joinpath("cmdline").read_bytes().split(b"\0")
            ours = Path(os.readlink(proc / "cwd")) == ROOT
            if ours and Path(argv[0].decode()).name == "dapr" and argv[1:2] == [b"run"]:
                found.append(int(proc.name))
    return found


def forget_runs() -> None:
    for path in runs_dir().glob("multirun-*.json"):
        path.unlink(missing_ok=True)
