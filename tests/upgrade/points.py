"""Orders brought to every point where an order can wait, or be in flight, when a release is deployed."""

import os
import signal
from collections.abc import Callable

from pizza_common.contract.names import WORKFLOW_APP
from tests.suite import Suite

WF = WORKFLOW_APP
# Each point, and what a person does there to take the order on once the new release runs.
POINTS = ("manager_approval", "quality_check", "remake_check", "cooking", "delivery", "compensation")
CHECKED = ("quality_check", "remake_check", "delivery", "compensation")  # first at a quality check
LARGE = {"quantity": 6}  # 108 USD: above the manager's threshold
OnPoint = Callable[[str, str], None]


def _decide(suite: Suite, route: str, order_id: str, approved: bool) -> None:
    resp = suite.post(WF, route, {"order_id": order_id, "approved": approved})
    assert resp.status_code == 200, resp.text


def bring(suite: Suite, storefront_pid: int, at: OnPoint) -> dict[str, str]:
    """Bring one order to each point, calling at(point, order_id) the moment it is there.

    The waits come first, then the two steps in flight (cooking, delivery); last, compensation,
    held in flight by stopping the storefront's process (SIGSTOP), which the caller resumes or kills.
    """
    ids = {
        "manager_approval": suite.start(**LARGE)["order_id"],
        **{
            p: suite.start()["order_id"]
            for p in ("quality_check", "remake_check", "delivery", "compensation")
        },
    }
    suite.wait_stage(ids["manager_approval"], "awaiting_manager_approval")
    at("manager_approval", ids["manager_approval"])
    for point in CHECKED:
        suite.wait_stage(ids[point], "pending_validation")
    at("quality_check", ids["quality_check"])
    _decide(suite, "/validate-pizza", ids["remake_check"], approved=False)
    suite.wait_status(
        ids["remake_check"], lambda s: s.get("stage") == "pending_validation" and s.get("attempt") == 1
    )
    at("remake_check", ids["remake_check"])
    ids["cooking"] = suite.start()["order_id"]
    suite.wait_stage(ids["cooking"], "kitchen")
    at("cooking", ids["cooking"])
    _decide(suite, "/validate-pizza", ids["delivery"], approved=True)
    suite.wait_stage(ids["delivery"], "delivery")
    at("delivery", ids["delivery"])
    os.killpg(storefront_pid, signal.SIGSTOP)  # the refund hangs: compensation stays in flight
    assert suite.post(WF, "/cancel-order", {"order_id": ids["compensation"]}).status_code in (200, 202)
    suite.wait_stage(ids["compensation"], "compensating")
    at("compensation", ids["compensation"])
    return ids
