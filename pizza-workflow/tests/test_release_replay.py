"""Every release's recorded histories, replayed under this code through the SDK's real executor.

An order waiting under an earlier release (at a check, or with a step in flight) is taken up by the
new code from its history: any change to which tasks the workflow schedules, or their order, that
does not go through `ctx.is_patched` fails here with the release and the point named.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from dapr.ext.workflow._durabletask.internal import protos as pb
from google.protobuf.json_format import ParseDict

from pizza_workflow import activities as act
from pizza_workflow import workflows
from pizza_workflow.ids import MANAGER_APPROVAL_EVENT, VALIDATION_EVENT
from pizza_workflow.types import Notes
from tests.support.engine import Engine
from tests.support.shop import Shop

REPLAY = Path(__file__).parent / "replay"
FIXTURES = sorted(REPLAY.glob("*/*.json"))
FIXTURES = [p for p in FIXTURES if p.name != "release.json"]
# How each point ends once a person says yes wherever the order waits.
ENDS = {
    "manager_approval": "delivered",
    "quality_check": "delivered",
    "remake_check": "delivered",
    "cooking": "delivered",
    "delivery": "delivered",
    "compensation": "cancelled",
}


def load(path: Path) -> tuple[dict[str, Any], list[pb.HistoryEvent]]:
    fixture = json.loads(path.read_text())
    return fixture, [ParseDict(e, pb.HistoryEvent()) for e in fixture["history"]]


def approve_whatever_waits(engine: Engine) -> None:
    """Say yes to the check the order waits on, for the attempt it waits on."""
    if engine.stage() == "awaiting_manager_approval":
        engine.raise_event(MANAGER_APPROVAL_EVENT, {"approved": True, "attempt": 0})
    elif engine.stage() == "pending_validation":
        attempt = engine.custom_status.get("attempt", 0)
        engine.raise_event(VALIDATION_EVENT, {"approved": True, "attempt": attempt})


def test_every_release_has_a_fixture_for_every_point() -> None:
    for release in sorted(p for p in REPLAY.iterdir() if p.is_dir()):
        assert {p.stem for p in release.glob("*.json")} - {"release"} == set(ENDS), release.name


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_an_order_waiting_under_a_release_finishes_under_this_code(path: Path) -> None:
    fixture, history = load(path)
    where = f"release {fixture['release']} ({fixture['commit'][:7]}), point {fixture['point']}"
    shop = Shop()
    engine = Engine(shop.activities(), instance_id=fixture["status"]["workflow_instance_id"])
    engine.resume(history)
    engine.turn()  # the whole recorded history, replayed under this code
    assert engine.status is None, f"{where}: {engine.status}: {engine.failure}"
    assert engine.stage() == fixture["status"]["stage"], where
    engine.run(approve_whatever_waits)
    assert engine.status == "COMPLETED", f"{where}: {engine.failure}"
    assert engine.output["status"] == ENDS[fixture["point"]], where


def test_a_change_to_the_tasks_without_a_patch_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard itself: one more task before the reservation, unpatched, breaks every waiting order."""
    original = workflows._reserve_and_charge

    def changed(run: Any) -> Any:
        yield run.call(act.notify, Notes())
        return (yield from original(run))

    monkeypatch.setattr(workflows, "_reserve_and_charge", changed)
    fixture, history = load(REPLAY / "1.0.0" / "quality_check.json")
    engine = Engine(Shop().activities(), instance_id=fixture["status"]["workflow_instance_id"])
    engine.resume(history)
    engine.turn()
    assert engine.status == "FAILED"
    assert "history mismatch" in (engine.failure or ""), engine.failure
