"""The runtime configurations of both run files keep finished workflow state for a while only."""

from pathlib import Path

import pytest
import yaml

from pizza_common.release import since

ROOT = Path(__file__).resolve().parents[2]


def configs() -> list[Path]:
    """Return every configuration a run file gives daprd, by the CLI's path rules."""
    used = set()
    for runfile in ("dapr.yaml", "dapr.locked.yaml"):
        spec = yaml.safe_load((ROOT / runfile).read_text())
        used.add((ROOT / spec["common"]["configFilePath"]).resolve())
        for app in spec["apps"]:
            if "configFilePath" in app:
                used.add((ROOT / app["appDirPath"] / app["configFilePath"]).resolve())
    return sorted(used)


@pytest.mark.parametrize("config", configs(), ids=lambda p: p.name)
def test_finished_workflow_state_is_retained_for_a_bounded_time(config: Path) -> None:
    retention = yaml.safe_load(config.read_text())["spec"]["workflow"]["stateRetentionPolicy"]
    assert set(retention) == {"completed", "failed", "terminated"}
    assert all(value.endswith("h") and 0 < int(value[:-1]) <= 24 * 30 for value in retention.values())


@pytest.mark.parametrize("config", configs(), ids=lambda p: p.name)
def test_every_request_is_traced_into_the_suites_zipkin(config: Path) -> None:
    tracing = yaml.safe_load(config.read_text())["spec"]["tracing"]
    assert tracing == {
        "samplingRate": "1",
        "zipkin": {"endpointAddress": "http://127.0.0.1:9411/api/v2/spans"},
    }


def test_a_release_is_compared_by_its_numbers() -> None:
    assert since("1.10.0", "1.9.0") and since("1.1.0", "1.1.0") and since("2.0.0", "1.1.0")
    assert not since("1.0.0", "1.1.0") and not since("1.9.9", "1.10.0")
