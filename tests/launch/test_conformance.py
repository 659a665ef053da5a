"""The stand-in starts daprd and the apps exactly as the real Dapr CLI 1.18.0 did, from the same run file.

The data under data/ was recorded from `dapr run -f` with the real CLI (see record_cli.py for how).
Here the stand-in plans the same run file from the same environment, and every daprd argument, every
environment variable, every folder and the process layout must match, but for what the stand-in adds
on purpose (LOOPBACK_EXTRAS), which this test names.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pizza_common.contract.names import PORTS
from pizza_run.multirun import LOOPBACK_EXTRAS, plan
from tests.launch.normal import ROOT, denormalise_env, normalise

DATA = Path(__file__).parent / "data"
RECORDINGS = sorted(DATA.glob("cli-*.json"))


def _recorded(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text()))


def _planned(recording: dict[str, Any], home: str) -> dict[str, Any]:
    """Plan the recording's run file from its environment, in the recording's normal form."""
    environ = denormalise_env(recording["cli"]["env"], home)
    apps = {}
    for launch in plan(ROOT / recording["cli"]["run_file"], environ):
        extras = launch.daprd_argv[-len(LOOPBACK_EXTRAS) :]
        assert tuple(extras) == LOOPBACK_EXTRAS, "the stand-in adds only its loopback flags, at the end"
        cwd = str(launch.app.app_dir)
        apps[launch.app.app_id] = {
            "daprd": {
                "argv": launch.daprd_argv[: -len(LOOPBACK_EXTRAS)],
                "env": launch.daprd_env,
                "cwd": cwd,
            },
            # The CLI runs `sh -c 'exec "$@"' sh <command>`: after the exec, /proc shows the command.
            "app": {"argv": launch.app_argv[4:], "env": launch.app_env, "cwd": cwd},
        }
        assert launch.app_argv[:4] == ["sh", "-c", 'exec "$@"', "sh"]
    return normalise(
        {
            "cli": {"version": "1.18.0", "run_file": recording["cli"]["run_file"], "env": environ, "pid": 0},
            "apps": {
                app_id: {kind: {**proc, "ppid": 0, "pgid": 0, "pid": 1} for kind, proc in procs.items()}
                for app_id, procs in apps.items()
            },
        }
    )


def _without_layout(record: dict[str, Any]) -> dict[str, Any]:
    keep = ("argv", "env", "cwd")
    return {
        app_id: {kind: {k: v for k, v in proc.items() if k in keep} for kind, proc in procs.items()}
        for app_id, procs in record["apps"].items()
    }


def test_recordings_of_both_run_files_exist() -> None:
    assert {_recorded(p)["cli"]["run_file"] for p in RECORDINGS} == {"dapr.yaml", "dapr.locked.yaml"}


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_each_recording_holds_every_app_and_its_sidecar(path: Path) -> None:
    # A recording taken once the apps had exited holds nothing, and would hold the stand-in to nothing.
    apps = _recorded(path)["apps"]
    assert set(apps) == set(PORTS)
    assert all(set(procs) == {"daprd", "app"} for procs in apps.values())


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_daprd_and_app_commands_environments_and_folders_match_the_cli(path: Path, tmp_path: Path) -> None:
    recording = _recorded(path)
    planned = _planned(recording, str(tmp_path))
    recorded, mine = _without_layout(recording), _without_layout(planned)
    assert sorted(mine) == sorted(recorded)
    for app_id in recorded:
        for kind in ("daprd", "app"):
            assert mine[app_id][kind]["argv"] == recorded[app_id][kind]["argv"], f"{app_id} {kind} argv"
            assert mine[app_id][kind]["env"] == recorded[app_id][kind]["env"], f"{app_id} {kind} env"
            assert mine[app_id][kind]["cwd"] == recorded[app_id][kind]["cwd"], f"{app_id} {kind} cwd"


@pytest.mark.parametrize("path", RECORDINGS, ids=lambda p: p.stem)
def test_the_recorded_process_layout_is_the_one_the_stand_in_builds(path: Path) -> None:
    # What the runner below reproduces: daprd in the runner's group, each app leading its own.
    for app_id, procs in _recorded(path)["apps"].items():
        assert procs["daprd"]["child_of_runner"] and procs["daprd"]["in_runner_group"], app_id
        assert procs["app"]["child_of_runner"] and procs["app"]["leads_own_group"], app_id


def test_the_stand_in_lays_out_its_processes_as_the_cli(tmp_path: Path) -> None:
    """Run the stand-in on a run file whose 'daprd' and app only sleep, and read its children from /proc."""
    (tmp_path / "app").mkdir()
    bin_dir = tmp_path / "rt" / ".dapr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "daprd").write_text("#!/bin/sh\nexec sleep 30\n")
    (bin_dir / "daprd").chmod(0o755)
    (tmp_path / "dapr.yaml").write_text(
        "version: 1\ncommon:\n  runtimePath: ./rt\napps:\n  - appDirPath: app\n    command: [sleep, '30']\n"
    )
    env = os.environ | {"PIZZA_DATA_DIR": str(tmp_path / "data")}
    runner = subprocess.Popen(
        [sys.executable, "-m", "pizza_run", "run", "-f", str(tmp_path / "dapr.yaml")], env=env, cwd=ROOT
    )
    try:
        children: list[tuple[int, int, int]] = []
        deadline = time.monotonic() + 20
        while len(children) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
            children = _children(runner.pid)
        assert len(children) == 2, children
        pgid_of_runner = os.getpgid(runner.pid)
        assert pgid_of_runner == runner.pid, "the runner leads its own group, as the CLI does"
        groups = sorted(pgid == pid for pid, _, pgid in children)
        assert groups == [False, True], "daprd in the runner's group, the app leading its own"
        assert all(pgid in (runner.pid, pid) for pid, _, pgid in children)
    finally:
        runner.terminate()
        assert runner.wait(timeout=20) == 0
    assert _children(runner.pid) == []


def _children(pid: int) -> list[tuple[int, int, int]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append((int(stat.parent.name), int(fields[1]), int(fields[2])))
    return found
