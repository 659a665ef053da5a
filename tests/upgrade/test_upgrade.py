"""The upgrade drill: the previous release runs with an order at every point where one can wait or be
in flight; it stops; this code starts on the same data folder; every order finishes as promised."""

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from pizza_common.names import STOREFRONT_APP, WORKFLOW_APP
from pizza_run.layout import ROOT
from tests.suite import Suite
from tests.upgrade import points
from tests.upgrade.record import app_record, release_suite
from tests.upgrade.releases import checkout, releases

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]
WF = WORKFLOW_APP
DELIVERED = ("manager_approval", "quality_check", "remake_check", "cooking", "delivery")


def _ended(suite: Suite, order_id: str) -> dict[str, Any]:
    return dict(suite.wait_status(order_id, lambda s: s.get("runtime_status") != "RUNNING", timeout=180))


def _payment(suite: Suite, order_id: str) -> dict[str, Any]:
    return dict(suite.get(STOREFRONT_APP, f"/payments/{order_id}").json())


def _answer_checks(suite: Suite, ids: dict[str, str]) -> None:
    """Say yes wherever an order of the previous release waits for a person, as this code runs it."""
    resp = suite.post(WF, "/approve-order", {"order_id": ids["manager_approval"], "approved": True})
    assert resp.status_code == 200, resp.text
    for point in ("quality_check", "remake_check", "manager_approval", "cooking"):
        suite.wait_stage(ids[point], "pending_validation", timeout=120)
        resp = suite.post(WF, "/validate-pizza", {"order_id": ids[point], "approved": True})
        assert resp.status_code == 200, (point, resp.text)


@pytest.mark.parametrize("previous", releases()[-1:], ids=lambda r: f"from-{r.version}")
def test_orders_waiting_under_the_previous_release_finish_under_this_one(
    previous: Any, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    with release_suite(checkout(previous.commit), data, tmp_path / "previous.log") as (started, suite):
        to_cancel = suite.start()["order_id"]
        suite.wait_stage(to_cancel, "pending_validation")
        storefront = int(app_record(started, STOREFRONT_APP)["app_pid"])
        ids = points.bring(suite, storefront, lambda point, order_id: None)
        os.killpg(storefront, signal.SIGKILL)  # a crash mid-refund: the refund is retried after the upgrade

    with release_suite(ROOT, data, tmp_path / "this.log") as (_, suite):
        resp = suite.post(WF, "/cancel-order", {"order_id": to_cancel})
        assert resp.json() == {"order_id": to_cancel, "status": "cancelled"}, resp.text
        _answer_checks(suite, ids)
        outcomes = {point: _ended(suite, ids[point]) for point in points.POINTS}
        outcomes["cancelled_after"] = _ended(suite, to_cancel)
        report = {
            p: (o["runtime_status"], (o.get("output") or {}).get("status")) for p, o in outcomes.items()
        }
        print(f"upgrade from {previous.version}: {report}")  # noqa: T201 - the drill's figures, with -s
        for point in DELIVERED:
            assert report[point] == ("COMPLETED", "delivered"), (point, outcomes[point])
            payment = _payment(suite, ids[point])
            assert (payment["status"], payment["charges"], payment["refunds"]) == ("charged", 1, 0), point
            assert suite.history(ids[point], "delivered").count("delivered") == 1, point
        for point, order_id in (("compensation", ids["compensation"]), ("cancelled_after", to_cancel)):
            assert report[point] == ("COMPLETED", "cancelled"), (point, outcomes[point])
            payment = _payment(suite, order_id)
            assert (payment["status"], payment["charges"], payment["refunds"]) == ("refunded", 1, 1), point
            assert suite.history(order_id, "cancelled")[-1] == "cancelled", point
