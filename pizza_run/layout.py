"""Where the suite keeps its things: the data folder, and the record of each run of the runner."""

import contextlib
import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """Return the suite's data folder: PIZZA_DATA_DIR, else .data at the top."""
    return Path(os.environ.get("PIZZA_DATA_DIR") or ROOT / ".data")


def runs_dir() -> Path:
    return data_dir() / "run"


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


def alive(pid: int) -> bool:
    """Return whether a process (or a group, for its leader's pid) still runs; a zombie does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    if state != "Z":
        return True
    with contextlib.suppress(ChildProcessError):  # reap a child of ours
        os.waitpid(pid, os.WNOHANG)
    return False


def group_alive(pgid: int) -> bool:
    """Return whether any process of a process group still runs (its leader reaped first if ours)."""
    leader = alive(pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return leader or _members_alive(pgid)


def _members_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False
