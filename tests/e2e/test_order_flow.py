"""Orders through the real suite: five apps, five daprd sidecars, Redis, placement, scheduler."""

import httpx
import pytest

from pizza_common.contract.statuses import DELIVERY_STAGES, KITCHEN_STAGES, STOREFRONT_STAGES
from pizza_run.http import invoke_url

pytestmark = pytest.mark.e2e
WF = "pizza-workflow"
KITCHEN = [s for s, _ in KITCHEN_STAGES] + ["cooked", "pending_validation"]
HELD = ["ingredients_reserved", "payment_charged"]
UP_TO_VALIDATION = [s for s, _ in STOREFRONT_STAGES] + HELD + KITCHEN
DELIVERY = [s for s, _ in DELIVERY_STAGES] + ["delivered"]


def test_approved_order_is_delivered_with_its_full_history(suite) -> None:  # type: ignore[no-untyped-def]
    order = suite.start()
    oid = order["order_id"]
    suite.wait_stage(oid, "pending_validation")
    resp = suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True})
    assert resp.json() == {"order_id": oid, "validation_status": "approved"}
    done = suite.wait_status(oid, lambda s: s.get("runtime_status") == "COMPLETED")
    assert done["output"] == {"order_id": oid, "status": "delivered", "error": None, "total_cents": 1800}
    assert done["stage"] == "delivered"
    assert suite.history(oid, "delivered") == [*UP_TO_VALIDATION, "approved", *DELIVERY]
    stored = suite.get("pizza-order", f"/order/{oid}").json()
    assert stored["status"] == "delivered"
    assert stored["customer"] == order["customer"]


def test_a_rejected_pizza_is_cooked_again(suite) -> None:  # type: ignore[no-untyped-def]
    oid = suite.start()["order_id"]
    suite.wait_stage(oid, "pending_validation")
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": False}).json()[
        "validation_status"
    ] == ("rejected")
    suite.wait_status(oid, lambda s: s.get("stage") == "pending_validation" and s.get("attempt") == 1)
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 200
    done = suite.wait_status(oid, lambda s: s.get("runtime_status") == "COMPLETED")
    assert done["output"]["status"] == "delivered"
    expected = [*UP_TO_VALIDATION, "remake", *KITCHEN, "approved", *DELIVERY]
    assert suite.history(oid, "delivered") == expected
    assert done["output"]["status"] == "delivered"


def test_paused_order_waits_then_resumes_to_delivery(suite) -> None:  # type: ignore[no-untyped-def]
    oid = suite.start()["order_id"]
    suite.wait_stage(oid, "pending_validation")
    assert suite.post(WF, "/pause-order", {"order_id": oid}).json() == {"order_id": oid, "status": "paused"}
    suite.wait_status(oid, lambda s: s.get("runtime_status") == "SUSPENDED")
    assert suite.post(WF, "/pause-order", {"order_id": oid}).status_code == 409
    # A decision taken while paused is kept and acted on after resuming.
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 200
    assert suite.status(oid)["runtime_status"] == "SUSPENDED"
    assert suite.post(WF, "/resume-order", {"order_id": oid}).json()["status"] == "resumed"
    done = suite.wait_status(oid, lambda s: s.get("runtime_status") == "COMPLETED")
    assert done["output"]["status"] == "delivered"


def test_cancelled_order_stops_and_is_recorded(suite) -> None:  # type: ignore[no-untyped-def]
    oid = suite.start()["order_id"]
    suite.wait_stage(oid, "pending_validation")
    assert suite.post(WF, "/cancel-order", {"order_id": oid}).json() == {
        "order_id": oid,
        "status": "cancelled",
    }
    done = suite.wait_status(oid, lambda s: s.get("runtime_status") == "COMPLETED")
    assert (done["stage"], done["output"]["status"]) == ("cancelled", "cancelled")
    assert suite.history(oid, "cancelled")[-3:] == ["pending_validation", "payment_refunded", "cancelled"]
    payment = suite.get("pizza-storefront", f"/payments/{oid}").json()
    assert (payment["status"], payment["charges"], payment["refunds"]) == ("refunded", 1, 1)
    for route in ("/cancel-order", "/pause-order", "/resume-order"):
        assert suite.post(WF, route, {"order_id": oid}).status_code == 409
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 409


def test_an_order_id_is_started_once(suite) -> None:  # type: ignore[no-untyped-def]
    order = suite.start()
    again = suite.post(WF, "/start-order", order | {"pizza_type": "hawaiian"})
    assert again.status_code == 409
    assert again.json()["runtime_status"] in {"RUNNING", "PENDING"}
    suite.post(WF, "/cancel-order", {"order_id": order["order_id"]})
    suite.wait_status(order["order_id"], lambda s: s.get("runtime_status") == "COMPLETED")


def test_bad_input_gets_a_4xx_json_error_naming_it(suite) -> None:  # type: ignore[no-untyped-def]
    http, wf = suite.http, suite.url[WF]
    missing = http.post(f"{wf}/start-order", json={"pizza_type": "pepperoni"})
    assert missing.status_code == 422
    assert "order_id" in missing.json()["error"]
    assert (
        http.post(f"{wf}/start-order", content="hello", headers={"content-type": "text/plain"}).status_code
        == 415
    )
    assert (
        http.post(
            f"{wf}/start-order", content="{oops", headers={"content-type": "application/json"}
        ).status_code
        == 400
    )
    # gunicorn drops a connection whose oversized body it will not drain: send this one alone.
    with httpx.Client(headers={"connection": "close"}) as alone:
        assert alone.post(f"{wf}/start-order", json={"x": "y" * 200_000}).status_code == 413
    assert http.post(f"{wf}/validate-pizza", json={"order_id": "o", "approved": "yes"}).status_code == 422
    assert http.get(f"{wf}/get-status/never-ordered").status_code == 404
    assert (
        http.post(f"{wf}/validate-pizza", json={"order_id": "never-ordered", "approved": True}).status_code
        == 404
    )
    assert (
        http.get(f"{suite.url['pizza-order']}/order/never-ordered").json()["error"]
        == "order never-ordered not found"
    )


def test_refusals_pass_through_service_invocation(suite) -> None:  # type: ignore[no-untyped-def]
    via_sidecar = invoke_url("pizza-kitchen", "cook")
    resp = suite.http.post(via_sidecar, json={"order_id": "bad id!"})
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/json")
    served = suite.get("pizza-kitchen", "/healthz")
    assert served.headers["server"].startswith("gunicorn")
