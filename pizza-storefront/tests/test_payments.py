"""The simulated payment provider: one charge per order, one refund, retries harmless."""

from typing import Any

import pytest
from flask.testing import FlaskClient

from pizza_common.contract.payments import DECLINED_TOKEN
from pizza_common.service.settings import Settings
from pizza_common.sidecar.guarded import ATTEMPTS
from pizza_storefront import create_app
from pizza_storefront.payment_store import payment_key
from tests.support.dapr_double import FakeDapr


def charge(order_id: str = "o-1", key: str = "o-1:charge", **overrides: Any) -> dict[str, Any]:
    body = {"order_id": order_id, "amount_cents": 1800, "payment_token": "tok_visa", "idempotency_key": key}
    return body | overrides


def refund(order_id: str = "o-1", key: str = "o-1:refund") -> dict[str, Any]:
    return {"order_id": order_id, "idempotency_key": key}


def record(client: FlaskClient, order_id: str = "o-1") -> dict[str, Any]:
    resp = client.get(f"/payments/{order_id}")
    assert resp.status_code == 200
    return resp.json  # type: ignore[no-any-return]


def test_pay_charges_the_order(client: FlaskClient, dapr: FakeDapr) -> None:
    resp = client.post("/pay", json=charge())
    assert resp.status_code == 200
    assert resp.json["status"] == "charged"
    assert resp.json["amount_cents"] == 1800
    assert resp.json["charge_id"].startswith("ch_")
    assert payment_key("o-1") in dapr.state
    assert dapr.ttls[payment_key("o-1")] == Settings().retention_s
    stored = record(client)
    assert (stored["status"], stored["charges"]) == ("charged", 1)
    assert stored["charge_id"] == resp.json["charge_id"]


def test_an_activity_executed_twice_charges_once(client: FlaskClient) -> None:
    first = client.post("/pay", json=charge())
    again = client.post("/pay", json=charge())
    assert again.status_code == 200
    assert again.json == first.json
    assert record(client)["charges"] == 1


def test_a_declined_card_is_402_and_recorded(client: FlaskClient) -> None:
    resp = client.post("/pay", json=charge(payment_token=DECLINED_TOKEN))
    assert resp.status_code == 402
    assert (resp.json["status"], resp.json["error"]) == ("payment_declined", "card declined")
    again = client.post("/pay", json=charge(payment_token=DECLINED_TOKEN))
    assert (again.status_code, again.json) == (402, resp.json)
    stored = record(client)
    assert (stored["status"], stored["charges"]) == ("payment_declined", 0)


def test_a_new_card_may_pay_after_a_decline(client: FlaskClient) -> None:
    client.post("/pay", json=charge(payment_token=DECLINED_TOKEN))
    assert client.post("/pay", json=charge(key="o-1:charge:2")).status_code == 200
    assert record(client)["charges"] == 1


def test_refund_after_a_charge_refunds_once(client: FlaskClient) -> None:
    charged = client.post("/pay", json=charge()).json
    first = client.post("/refund", json=refund())
    assert first.status_code == 200
    assert (first.json["status"], first.json["amount_cents"]) == ("refunded", 1800)
    assert first.json["charge_id"] == charged["charge_id"]
    assert client.post("/refund", json=refund()).json == first.json
    other_key = client.post("/refund", json=refund(key="o-1:refund:2"))
    assert (other_key.status_code, other_key.json["status"]) == (200, "refunded")
    stored = record(client)
    assert (stored["status"], stored["charges"], stored["refunds"]) == ("refunded", 1, 1)


def test_a_refund_before_the_charge_closes_the_order(client: FlaskClient) -> None:
    resp = client.post("/refund", json=refund())
    assert (resp.status_code, resp.json["status"], resp.json["amount_cents"]) == (200, "nothing_to_refund", 0)
    late = client.post("/pay", json=charge())
    assert (late.status_code, late.json["status"]) == (409, "refunded")
    assert "refunded" in late.json["error"]
    assert client.post("/refund", json=refund(key="o-1:refund:2")).json["status"] == "nothing_to_refund"
    stored = record(client)
    assert (stored["status"], stored["charges"], stored["refunds"]) == ("refunded", 0, 0)


def test_a_refund_refused_for_its_key_still_closes_a_declined_order(client: FlaskClient) -> None:
    """Declined, then a refund under the charge's key: refused, but no later card may take money."""
    client.post("/pay", json=charge(payment_token=DECLINED_TOKEN))
    refused = client.post("/refund", json=refund(key="o-1:charge"))
    assert (refused.status_code, refused.json["amount_cents"]) == (409, 0)
    late = client.post("/pay", json=charge(key="o-1:charge:2"))
    assert (late.status_code, late.json["status"]) == (409, "refunded")
    stored = record(client)
    assert (stored["status"], stored["charges"], stored["refunds"]) == ("refunded", 0, 0)


def test_a_second_charge_under_another_key_is_409(client: FlaskClient) -> None:
    first = client.post("/pay", json=charge()).json
    resp = client.post("/pay", json=charge(key="o-1:charge:again"))
    assert resp.status_code == 409
    assert resp.json["charge_id"] == first["charge_id"]
    assert first["charge_id"] in resp.json["error"]
    assert record(client)["charges"] == 1


def test_a_key_reused_for_another_request_is_409(client: FlaskClient) -> None:
    client.post("/pay", json=charge())
    assert client.post("/pay", json=charge(amount_cents=1)).status_code == 409
    assert client.post("/refund", json=refund(key="o-1:charge")).status_code == 409
    stored = record(client)
    assert (stored["status"], stored["charges"], stored["refunds"]) == ("charged", 1, 0)


def test_lost_etag_races_are_retried(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.conflicts_before_save = ATTEMPTS - 1
    assert client.post("/pay", json=charge()).status_code == 200
    assert record(client)["charges"] == 1


def test_endless_etag_races_are_503_and_change_nothing(client: FlaskClient, dapr: FakeDapr) -> None:
    dapr.conflicts_before_save = 1000
    resp = client.post("/pay", json=charge())
    assert resp.status_code == 503
    assert "try again" in resp.json["error"]
    assert dapr.state == {}


class RefundWinsTheRace(FakeDapr):
    """A state store where a refund lands between a charge's read and its write."""

    def save_state(
        self, key: str, value: Any, etag: str | None = None, *, create: bool = False, ttl_s: int | None = None
    ) -> None:
        if value["status"] == "charged" and key not in self.state:
            tombstone = {"order_id": "o-1", "status": "refunded", "refunds": 0, "idempotency_keys": {}}
            super().save_state(key, tombstone, create=True)
        super().save_state(key, value, etag, create=create, ttl_s=ttl_s)


def test_a_charge_that_loses_to_a_refund_decides_again_and_takes_nothing() -> None:
    dapr = RefundWinsTheRace()
    client = create_app({"TESTING": True, "DAPR": dapr}).test_client()
    resp = client.post("/pay", json=charge())
    assert (resp.status_code, resp.json["status"]) == (409, "refunded")
    assert record(client)["charges"] == 0


@pytest.mark.parametrize(
    ("route", "body", "field"),
    [
        ("/pay", charge(amount_cents=-5), "amount_cents"),
        ("/pay", charge(amount_cents=0), "amount_cents"),
        ("/pay", charge(amount_cents="lots"), "amount_cents"),
        ("/pay", {k: v for k, v in charge().items() if k != "idempotency_key"}, "idempotency_key"),
        ("/pay", charge(idempotency_key="  "), "idempotency_key"),
        ("/pay", charge(payment_token="visa"), "payment_token"),
        ("/pay", charge(order_id="../etc"), "order_id"),
        ("/pay", charge(total_cents=1), "total_cents"),
        ("/refund", {"order_id": "o-1"}, "idempotency_key"),
        ("/refund", refund(order_id=""), "order_id"),
        ("/refund", [1, 2], "body"),
    ],
)
def test_bad_payment_requests_are_422_naming_the_field(
    client: FlaskClient, dapr: FakeDapr, route: str, body: Any, field: str
) -> None:
    resp = client.post(route, json=body)
    assert resp.status_code == 422
    assert field in {p["field"] for p in resp.json["problems"]}
    assert dapr.state == {}


def test_non_json_payment_requests_are_refused(client: FlaskClient, dapr: FakeDapr) -> None:
    assert client.post("/pay", data="amount=1", content_type="text/plain").status_code == 415
    assert client.post("/refund", data="{nope", content_type="application/json").status_code == 400
    assert dapr.state == {}


def test_an_unknown_payment_is_404_json(client: FlaskClient) -> None:
    resp = client.get("/payments/nope-1")
    assert resp.status_code == 404
    assert "nope-1" in resp.json["error"]
    assert client.get("/payments/" + "x" * 65).status_code == 422


def test_a_payment_record_is_for_dapr_callers_and_staff_only(dapr: FakeDapr) -> None:
    locked = Settings().model_copy(update={"app_api_token": "app-t0ken", "staff_token": "staff-t0ken"})
    client = create_app({"TESTING": True, "DAPR": dapr, "SETTINGS": locked}).test_client()
    assert client.post("/pay", json=charge(), headers={"dapr-api-token": "app-t0ken"}).status_code == 200
    for refused in ({}, {"dapr-api-token": "wrong"}, {"X-Staff-Token": "wrong"}):
        resp = client.get("/payments/o-1", headers=refused)
        assert resp.status_code == 401 and "Dapr and staff only" in resp.json["error"], refused
    for caller in ({"dapr-api-token": "app-t0ken"}, {"X-Staff-Token": "staff-t0ken"}):
        assert client.get("/payments/o-1", headers=caller).json["charges"] == 1, caller
    staff_only_not = client.post("/pay", json=charge(), headers={"X-Staff-Token": "staff-t0ken"})
    assert staff_only_not.status_code == 401  # charging stays Dapr's alone
