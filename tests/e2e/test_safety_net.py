"""The safety net on the real runtime: an order failed outside the workflow's code gets its money back."""

from typing import Any

import pytest

from pizza_run.http import sidecar_url
from pizza_workflow.ids import VALIDATION_EVENT, instance_id
from tests.e2e.test_saga import WF, payment, stock

pytestmark = pytest.mark.e2e


def test_an_order_the_sdk_fails_is_refunded_released_and_told(suite: Any) -> None:
    """An answer that is not JSON fails the order in the SDK, before the workflow's own code runs."""
    oid = suite.start(pizza_type="hawaiian")["order_id"]
    held = suite.wait_stage(oid, "pending_validation")
    assert (held["payment"], held["inventory"]) == ("charged", "consumed")
    ham = stock(suite, "ham")
    url = f"{sidecar_url(WF)}/workflows/dapr/{instance_id(oid)}/raiseEvent/{VALIDATION_EVENT}"
    raised = suite.http.post(url, content=b"{not json", headers={"content-type": "application/json"})
    assert raised.status_code == 202, raised.text
    failed = suite.wait_status(oid, lambda s: s.get("runtime_status") == "FAILED")
    assert failed["payment"] == "charged"  # the workflow's own compensation never ran
    swept = suite.post(WF, "/sweep-orders", {}).json()["swept"]
    assert [(s["order_id"], s["refunded_cents"]) for s in swept if s["order_id"] == oid] == [(oid, 1900)]
    after = payment(suite, oid)
    assert (after["status"], after["charges"], after["refunds"]) == ("refunded", 1, 1)
    assert suite.history(oid, "failed")[-2:] == ["pending_validation", "failed"]
    assert stock(suite, "ham") == ham  # cooked already: consumed, nothing left to give back
    assert suite.post(WF, "/sweep-orders", {}).json()["swept"] == []  # once
    assert payment(suite, oid)["refunds"] == 1
