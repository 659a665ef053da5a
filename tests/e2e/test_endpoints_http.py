"""Endpoints.http, sent as a user sends it, by a real .http client (httpyac)."""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support.orders import sample_order

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
HTTPYAC = ROOT / "tools" / "http" / "node_modules" / ".bin" / "httpyac"


@pytest.fixture
def send(tmp_path: Path) -> Any:
    if not HTTPYAC.exists():
        pytest.skip("httpyac is not installed (make setup installs it when npm is there)")
    order_id = sample_order()["order_id"]
    text = (ROOT / "Endpoints.http").read_text()
    assert "@orderId = 123\n" in text
    (tmp_path / "Endpoints.http").write_text(text.replace("@orderId = 123\n", f"@orderId = {order_id}\n"))

    def run(name: str) -> tuple[int, Any]:
        out = subprocess.run(
            [str(HTTPYAC), "send", "Endpoints.http", "--name", name, "--json"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        response = json.loads(out.stdout)["requests"][0]["response"]
        return response["statusCode"], json.loads(response["body"]) if response["body"] else None

    run.order_id = order_id  # type: ignore[attr-defined]
    return run


def test_the_requests_take_an_order_to_delivered(send: Any, suite: Any) -> None:
    oid = send.order_id
    assert send("startOrder") == (
        202,
        {"order_id": oid, "status": "started", "workflow_instance_id": f"pizza-order-{oid}"},
    )
    suite.wait_stage(oid, "pending_validation")
    status, body = send("getStatus")
    assert (status, body["stage"]) == (200, "pending_validation")
    assert send("approvePizza") == (200, {"order_id": oid, "validation_status": "approved"})
    suite.wait_status(oid, lambda s: s.get("runtime_status") == "COMPLETED")
    suite.history(oid, "delivered")
    status, body = send("getOrder")
    assert (status, body["status"]) == (200, "delivered")
    status, body = send("getPayment")
    assert (status, body["status"], body["charges"]) == (200, "charged", 1)
    status, body = send("listOrders")
    assert status == 200 and len(body["orders"]) <= 10
    assert {o["runtime_status"] for o in body["orders"]} <= {"RUNNING", "COMPLETED"}
    assert send("rejectPizza")[0] == 409
    assert send("pauseOrder")[0] == 409


def test_the_other_requests_answer_as_documented(send: Any, suite: Any) -> None:
    oid = send.order_id
    assert send("startOrder")[0] == 202
    suite.wait_stage(oid, "pending_validation")
    assert send("pauseOrder") == (200, {"order_id": oid, "status": "paused"})
    assert send("resumeOrder") == (200, {"order_id": oid, "status": "resumed"})
    assert send("cancelOrder") == (200, {"order_id": oid, "status": "cancelled"})
    assert send("createOrder")[0] == 201
    assert send("deleteOrder") == (200, {"order_id": f"{oid}-direct", "deleted": True})
    assert send("storefrontOrder")[1]["status"] == "confirmed"
    assert send("cookPizza")[1]["status"] == "cooked"
    assert send("deliverPizza")[1]["status"] == "delivered"
    status, body = send("deniedInvoke")
    assert status == 403
    assert "spiffe://public/ns/default/pizza-order" in body["message"]
