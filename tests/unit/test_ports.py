"""The ports in Python (names.PORTS, pizza_run.ports) agree with the run files and the scripts."""

import os
import re
import socket
from pathlib import Path

import pytest

from pizza_common.contract.names import PORTS
from pizza_run import multirun
from pizza_run.multirun import metrics_urls
from pizza_run.ports import CONTROL_PLANE, ETCD_PORTS, SIDECAR_METRICS
from pizza_run.runfile import SENTRY_ADDRESS, load

ROOT = Path(__file__).resolve().parents[2]
CONTROLPLANE_SH = (ROOT / "scripts" / "controlplane.sh").read_text()


@pytest.mark.parametrize("run_file", ["dapr.yaml", "dapr.locked.yaml"])
def test_each_app_has_the_ports_of_the_run_files(run_file: str) -> None:
    apps = load(ROOT / run_file, os.environ)
    assert {a.app_id: (a.own["appPort"], a.own["daprHTTPPort"]) for a in apps} == PORTS


@pytest.mark.parametrize("run_file", ["dapr.yaml", "dapr.locked.yaml"])
def test_each_sidecar_serves_its_metrics_on_the_port_of_the_run_files(run_file: str) -> None:
    apps = load(ROOT / run_file, os.environ)
    assert {a.app_id: a.own["metricsPort"] for a in apps} == SIDECAR_METRICS


@pytest.mark.parametrize("run_file", ["dapr.yaml", "dapr.locked.yaml"])
def test_the_sidecars_find_the_control_plane_on_its_ports(run_file: str) -> None:
    for app in load(ROOT / run_file, os.environ):
        assert app.shared["placementHostAddress"] == f"127.0.0.1:{CONTROL_PLANE['placement'].port}"
        assert app.shared["schedulerHostAddress"] == f"127.0.0.1:{CONTROL_PLANE['scheduler'].port}"
    assert SENTRY_ADDRESS.endswith(f":{CONTROL_PLANE['sentry'].port}")


def test_controlplane_sh_starts_each_service_on_its_ports() -> None:
    assert f'REDIS_PORT="${{PIZZA_REDIS_PORT:-{CONTROL_PLANE["redis"].port}}}"' in CONTROLPLANE_SH
    for name, service in CONTROL_PLANE.items():
        if name == "redis":
            continue
        assert f"\n{name.upper()}_PORT={service.port}" in CONTROLPLANE_SH
        command = re.search(rf'launch {name} "\$DAPR_BIN/{name}"(.*?)\n\s*wait_for', CONTROLPLANE_SH, re.S)
        assert command, f"controlplane.sh does not launch {name}"
        assert f"--healthz-port {service.healthz} " in command.group(1)
        if service.metrics:
            assert f"--metrics-port {service.metrics} " in command.group(1)


def test_controlplane_sh_gives_etcd_its_ports() -> None:
    client, peer = ETCD_PORTS
    assert f"--etcd-client-port {client} " in CONTROLPLANE_SH
    assert f"=http://127.0.0.1:{peer}" in CONTROLPLANE_SH


def test_make_run_names_each_sidecars_metrics_url() -> None:
    line = metrics_urls(ROOT / "dapr.locked.yaml")
    assert line.count("/metrics") == len(PORTS)
    for app_id, port in SIDECAR_METRICS.items():
        assert f"{app_id} http://127.0.0.1:{port}/metrics" in line


def test_the_stand_in_picks_free_ports_below_the_ephemeral_range_and_each_once() -> None:
    low = multirun._ephemeral_low()
    picked = [multirun.free_port() for _ in range(50)]
    assert len(set(picked)) == len(picked)
    assert all(multirun.PICK_LOW <= port < low for port in picked)
    with socket.socket() as s:
        s.bind(("", picked[0]))  # free when handed out, and still free: nothing listens on it


def test_without_the_kernels_range_the_default_linux_range_is_assumed(tmp_path: Path) -> None:
    assert multirun._ephemeral_low(tmp_path / "missing") == 32768
    (tmp_path / "range").write_text("40000\t60999\n")
    assert multirun._ephemeral_low(tmp_path / "range") == 40000
