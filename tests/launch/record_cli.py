"""Record how the real Dapr CLI started the suite, as test data for the stand-in's conformance test.

Run by hand, never in CI (CI has no CLI): start the control plane, then the CLI from the top folder
with a small, known environment, then this script while the CLI runs, e.g.

    env -i HOME=$HOME PATH=$PATH PIZZA_TIME_SCALE=0 DAPR_API_TOKEN=... dapr run -f dapr.locked.yaml &
    python -m tests.launch.record_cli <cli pid> dapr.locked.yaml tests/launch/data/cli-1.18.0-locked.json

It reads each daprd's and app's /proc/<pid>/cmdline, environ, cwd and process group, and writes them
normalised (see `tests.launch.normal`): the folders and the ports the CLI picked at random become
placeholders, and the tokens and trust anchor become their names.
"""

import json
import os
import sys
from pathlib import Path

from tests.launch.normal import ROOT, normalise


def _read(pid: int) -> dict[str, object]:
    proc = Path(f"/proc/{pid}")
    argv = proc.joinpath("cmdline").read_bytes().rstrip(b"\0").decode().split("\0")
    environ = dict(
        line.split("=", 1)
        for line in proc.joinpath("environ").read_bytes().decode().split("\0")
        if "=" in line
    )
    stat = proc.joinpath("stat").read_text().rsplit(")", 1)[1].split()
    return {
        "argv": argv,
        "env": environ,
        "cwd": os.readlink(proc / "cwd"),
        "ppid": int(stat[1]),
        "pgid": int(stat[2]),
        "pid": pid,
    }


def _children(pid: int) -> list[int]:
    # A Go program starts children from any of its threads: read every thread's list.
    return [
        int(p)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for p in (task / "children").read_text().split()
    ]


def record(cli_pid: int, run_file: str) -> dict[str, object]:
    """Return the CLI's base environment and, per app-id, how its daprd and app were started."""
    cli = _read(cli_pid)
    apps: dict[str, dict[str, object]] = {}
    for child in map(_read, _children(cli_pid)):
        argv = child["argv"]
        assert isinstance(argv, list)
        if argv[0].endswith("daprd"):
            app_id = argv[argv.index("--app-id") + 1]
            apps.setdefault(app_id, {})["daprd"] = child
        else:
            env = child["env"]
            assert isinstance(env, dict)
            apps.setdefault(env["APP_ID"], {})["app"] = child
    return normalise({"cli": {"version": "1.18.0", "run_file": run_file, **cli}, "apps": apps})


if __name__ == "__main__":
    pid, run_file, out = int(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    out.write_text(json.dumps(record(pid, run_file), indent=1, sort_keys=True) + "\n")
    sys.stdout.write(f"recorded {out.relative_to(ROOT) if out.is_absolute() else out}\n")
