"""PIZZA_REPLICAS: the launcher's plan of the locked-down run file with replicas, and what it refuses."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pizza_run import health
from pizza_run.multirun import metrics_urls, plan
from pizza_run.ports import control_ports
from pizza_run.replicas import ReplicaError, names

ROOT = Path(__file__).resolve().parents[2]
RUN_FILE = ROOT / "dapr.locked.yaml"


def _flag(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_each_replica_gets_its_own_ports_sidecar_and_log_folder() -> None:
    env = os.environ | {"PIZZA_REPLICAS": "pizza-workflow=2, pizza-kitchen=3"}
    launches = plan(RUN_FILE, env)
    kitchens = [launch for launch in launches if launch.app.app_id == "pizza-kitchen"]
    assert [k.app.name for k in kitchens] == ["pizza-kitchen", "pizza-kitchen.2", "pizza-kitchen.3"]
    # The first keeps the contract's ports; the others are 10 and 20 above, each told its own.
    assert [(k.ports.app, k.ports.http) for k in kitchens] == [(8003, 3503), (8013, 3513), (8023, 3523)]
    for k in kitchens:
        assert _flag(k.daprd_argv, "--app-id") == "pizza-kitchen"  # one app id: one service to Dapr
        assert _flag(k.daprd_argv, "--app-port") == k.app_env["APP_PORT"] == str(k.ports.app)
        assert _flag(k.daprd_argv, "--dapr-http-port") == k.app_env["DAPR_HTTP_PORT"] == str(k.ports.http)
    assert len({k.app.logs_dir() for k in kitchens}) == 3
    assert [launch.app.name for launch in launches].count("pizza-workflow.2") == 1
    # The fixed ones (the free ones are the OS's to pick, as with the CLI).
    fixed = [p for launch in launches for p in (launch.ports.app, launch.ports.http, launch.ports.metrics)]
    assert len(fixed) == len(set(fixed)), "two processes of the plan share a port"
    assert not set(fixed) & set(control_ports())
    assert [k.ports.metrics for k in kitchens] == [9093, 9103, 9113]


def test_the_metrics_urls_name_each_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIZZA_REPLICAS", "pizza-kitchen=2")
    assert "pizza-kitchen.2 http://127.0.0.1:9103/metrics" in metrics_urls(RUN_FILE)


def test_without_replicas_the_plan_is_the_run_files() -> None:
    launches = plan(RUN_FILE, {k: v for k, v in os.environ.items() if k != "PIZZA_REPLICAS"})
    assert [launch.app.name for launch in launches] == [launch.app.app_id for launch in launches]
    assert len(launches) == 5


@pytest.mark.parametrize(
    ("asked", "says"),
    [
        ("pizza-order=2", "pizza-order runs as one process only: its live event streams"),
        ("pizza-oven=2", "no app pizza-oven in the run file"),
        ("pizza-kitchen", "'pizza-kitchen' is not <app-id>=<1 to 9>"),
        ("pizza-kitchen=0", "'pizza-kitchen=0' is not"),
        ("pizza-kitchen=10", "'pizza-kitchen=10' is not"),
    ],
)
def test_a_replica_count_the_suite_cannot_run_is_refused(asked: str, says: str) -> None:
    with pytest.raises(ReplicaError, match=says):
        plan(RUN_FILE, os.environ | {"PIZZA_REPLICAS": asked})


def test_the_stand_in_refuses_before_it_starts_anything() -> None:
    env = os.environ | {"PIZZA_REPLICAS": "pizza-order=2"}
    run = [sys.executable, "-m", "pizza_run", "run", "-f", str(RUN_FILE)]
    done = subprocess.run(run, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "PIZZA_REPLICAS: pizza-order runs as one process only" in done.stderr


def test_the_readiness_checks_know_each_replica_by_its_name() -> None:
    assert names({"PIZZA_REPLICAS": "pizza-workflow=3"}) == ["pizza-workflow.2", "pizza-workflow.3"]
    assert health.label(health.sidecar("pizza-workflow.3")) == "the sidecar of pizza-workflow.3 on :3525"
    assert health.label("pizza-kitchen.2") == "pizza-kitchen.2 on :8013"
    assert "pizza-kitchen.2-daprd" in health.processes(["pizza-kitchen.2"])
