"""Ctrl+C in the terminal that runs `make run` stops everything it started, within 15 s."""

import subprocess
import time
from pathlib import Path

import pytest

from tests.launch.conftest import ctrl_c, in_terminal, listening, suite_pids, user_env, wait_ready
from tests.launch.normal import ROOT

pytestmark = [pytest.mark.launch, pytest.mark.usefixtures("nothing_running")]
STOP_WITHIN_S = 15.0


def test_ctrl_c_stops_make_run_and_leaves_no_process_and_no_port(tmp_path: Path) -> None:
    log = tmp_path / "make-run.log"
    make = in_terminal(["make", "run"], user_env(tmp_path / "data"), log)
    try:
        wait_ready(make, log)
        running = suite_pids()
        # The control plane, the runner, and each app (gunicorn and its workers) and daprd.
        assert sum("daprd" in cmd for cmd in running.values()) == 5, running
        assert sum("app.py" in cmd for cmd in running.values()) >= 5, running
        assert listening(), "the suite listens"
    except BaseException:
        ctrl_c(make)
        make.wait(timeout=60)
        raise
    pressed = time.monotonic()
    ctrl_c(make)
    deadline = pressed + STOP_WITHIN_S
    while time.monotonic() < deadline and (suite_pids() or listening() or make.poll() is None):
        time.sleep(0.1)
    took = time.monotonic() - pressed
    assert make.poll() is not None, (
        f"make run still runs {took:.1f} s after Ctrl+C:\n{log.read_text()[-2000:]}"
    )
    assert suite_pids() == {}, f"left running {took:.1f} s after Ctrl+C"
    assert listening() == [], f"still listening {took:.1f} s after Ctrl+C"
    assert "controlplane: stopped redis" in log.read_text()
    print(f"Ctrl+C stopped make run in {took:.1f} s")  # noqa: T201  (the figure for the notes, with -s)


def test_make_run_refuses_a_dapr_init_placement_in_one_line(tmp_path: Path) -> None:
    """A `dapr init` machine holds 50005 with a placement without mTLS: `make run` says what to do."""
    placement = subprocess.Popen(
        [
            str(Path.home() / ".dapr" / "bin" / "placement"),
            "--port",
            "50005",
            "--listen-address",
            "127.0.0.1",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while 50005 not in listening() and time.monotonic() < deadline:
            time.sleep(0.1)
        log = tmp_path / "make-run.log"
        make = in_terminal(["make", "run"], user_env(tmp_path / "data"), log)
        assert make.wait(timeout=120) != 0
        errors = [line for line in log.read_text().splitlines() if "controlplane: error" in line]
        assert len(errors) == 1, log.read_text()[-2000:]
        assert "port 50005" in errors[0] and "dapr init" in errors[0] and "dapr run -f ." in errors[0]
        assert listening() == [50005], "make run started nothing, and stopped what it had started"
    finally:
        placement.kill()
        placement.wait()
        subprocess.run(
            ["bash", "scripts/controlplane.sh", "stop"], env=user_env(tmp_path / "data"), check=False
        )


def test_make_stop_in_another_terminal_stops_a_running_make_run(tmp_path: Path) -> None:
    env = user_env(tmp_path / "data")
    make = in_terminal(["make", "run"], env, tmp_path / "make-run.log")
    try:
        wait_ready(make, tmp_path / "make-run.log")
    except BaseException:
        ctrl_c(make)
        raise
    stop = subprocess.run(["make", "stop"], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert stop.returncode == 0, stop.stderr
    assert make.wait(timeout=STOP_WITHIN_S) is not None
    deadline = time.monotonic() + STOP_WITHIN_S
    while time.monotonic() < deadline and (suite_pids() or listening()):
        time.sleep(0.1)
    assert suite_pids() == {} and listening() == []
