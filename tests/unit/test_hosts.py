"""The launcher's address settings: loopback when unset, the hosts' addresses when set."""

from pathlib import Path

import pytest
import yaml

from pizza_run import hosts
from pizza_run.layout import ROOT
from pizza_run.multirun import LOOPBACK_EXTRAS, plan

ACROSS_HOSTS = {
    hosts.BIND_ADDRESS: "10.77.0.2",
    hosts.CONTROL_PLANE_HOST: "10.77.0.1",
    hosts.REDIS_HOST: "10.77.0.1:6379",
}


def values(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, arg in enumerate(argv[:-1]) if arg == flag]


def test_unset_the_sidecars_keep_to_loopback() -> None:
    for launch in plan(ROOT / "dapr.locked.yaml", {}):
        assert tuple(launch.daprd_argv[-len(LOOPBACK_EXTRAS) :]) == LOOPBACK_EXTRAS
        assert values(launch.daprd_argv, "--scheduler-host-address") == ["127.0.0.1:50006"]
        assert launch.daprd_env["DAPR_HOST_IP"] == "127.0.0.1"
        assert launch.app.resources_paths == [ROOT / "resources"]


def test_set_each_address_is_given_once_and_the_apis_stay_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIZZA_DATA_DIR", str(tmp_path))
    for launch in plan(ROOT / "dapr.locked.yaml", ACROSS_HOSTS):
        argv = launch.daprd_argv
        # Once each: daprd adds a repeated --scheduler-host-address to the first one.
        assert values(argv, "--scheduler-host-address") == ["10.77.0.1:50006"]
        assert values(argv, "--placement-host-address") == ["10.77.0.1:50005"]
        assert values(argv, "--sentry-address") == ["10.77.0.1:50001"]
        assert values(argv, "--dapr-internal-grpc-listen-address") == ["10.77.0.2"]
        assert values(argv, "--dapr-listen-addresses") == ["127.0.0.1"]
        assert values(argv, "--metrics-listen-address") == ["127.0.0.1"]
        assert launch.daprd_env["DAPR_HOST_IP"] == "10.77.0.2"


def test_set_the_components_name_the_redis_host_and_nothing_else_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIZZA_DATA_DIR", str(tmp_path))
    [copy] = hosts.resources([ROOT / "resources"], ACROSS_HOSTS)
    originals = sorted((ROOT / "resources").glob("*.yaml"))
    assert [p.name for p in sorted(copy.glob("*.yaml"))] == [p.name for p in originals]
    named = []
    for original in originals:
        want = yaml.safe_load(original.read_text())
        for item in want["spec"].get("metadata") or []:
            if item["name"] == "redisHost":
                item["value"] = "10.77.0.1:6379"
                named.append(original.name)
        assert yaml.safe_load((copy / original.name).read_text()) == want
    assert named == ["pubsub.yaml", "statestore.yaml"]


def test_the_control_plane_listens_on_loopback_unless_told() -> None:
    script = (ROOT / "scripts" / "controlplane.sh").read_text()
    assert 'BIND="${PIZZA_BIND_ADDRESS:-127.0.0.1}"' in script
    for name in ("sentry", "placement", "scheduler"):
        launch = f'launch {name} "$DAPR_BIN/{name}" --port "${name.upper()}_PORT"'
        assert f'{launch} --listen-address "$BIND"' in script
