"""Who may do what through pizza-order once a staff token is set (as `make run` sets it)."""

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from pizza_common.auth import signin
from pizza_common.contract.names import WORKFLOW_APP
from pizza_common.service.settings import Settings
from pizza_order import create_app
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order
from tests.support.signin import expired_token

STAFF = "s3cret-staff"
SECRET = "k" * 32
LOCKED = Settings().model_copy(update={"staff_token": STAFF, "secret_key": SECRET})


@pytest.fixture
def app_locked(dapr: FakeDapr) -> Flask:
    dapr.handlers[WORKFLOW_APP, "start-order"] = lambda d: (
        202,
        {"order_id": d["order_id"], "status": "started"},
    )
    dapr.handlers[WORKFLOW_APP, "get-status/o1"] = lambda d: (200, {"order_id": "o1", "stage": "kitchen"})
    return create_app({"TESTING": True, "DAPR": dapr, "SETTINGS": LOCKED})


@pytest.fixture
def shop(app_locked: Flask) -> FlaskClient:
    return app_locked.test_client()


def sign_in(shop: FlaskClient) -> str:
    """Sign the browser in with a one-time staff link; return its CSRF token."""
    assert shop.get(f"/staff?token={signin.mint(SECRET)}").status_code == 303
    session = shop.get("/api/session").json
    assert (session["staff"], session["open"]) == (True, False)
    return str(session["csrf"])


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/orders"),
        ("POST", "/api/orders/o1/validate"),
        ("POST", "/api/orders/o1/approve"),
        ("POST", "/api/orders/o1/pause"),
        ("POST", "/api/orders/o1/resume"),
        ("GET", "/api/events"),
        ("POST", "/order"),
        ("DELETE", "/order/o1"),
    ],
)
def test_staff_actions_are_refused_to_anyone_else(
    shop: FlaskClient, dapr: FakeDapr, method: str, path: str
) -> None:
    body: dict[str, Any] = {"approved": True} if "validate" in path or "approve" in path else {}
    answer = shop.open(path, method=method, json=sample_order("o1") if path == "/order" else body)
    assert answer.status_code == 403
    assert "staff only" in answer.json["error"]
    assert dapr.invoked == [] and dapr.state == {}


def test_the_staff_token_header_opens_them_and_goes_on_to_pizza_workflow(
    shop: FlaskClient, dapr: FakeDapr
) -> None:
    dapr.handlers[WORKFLOW_APP, "validate-pizza"] = lambda d: (200, {"validation_status": "approved"})
    answer = shop.post("/api/orders/o1/validate", json={"approved": True}, headers={"X-Staff-Token": STAFF})
    assert answer.status_code == 200
    assert dapr.headers[-1] == {"X-Staff-Token": STAFF}
    wrong = shop.post("/api/orders/o1/validate", json={"approved": True}, headers={"X-Staff-Token": "guess"})
    assert wrong.status_code == 403


def test_a_signed_in_browser_acts_as_staff_but_only_with_its_csrf_token(
    shop: FlaskClient, dapr: FakeDapr
) -> None:
    assert shop.get("/staff?token=guess").status_code == 403
    csrf = sign_in(shop)
    dapr.handlers[WORKFLOW_APP, "validate-pizza"] = lambda d: (200, {"validation_status": "approved"})
    forged = shop.post("/api/orders/o1/validate", json={"approved": True})  # what another site can send
    assert forged.status_code == 400 and "CSRF" in forged.json["error"]
    assert dapr.invoked == []
    done = shop.post("/api/orders/o1/validate", json={"approved": True}, headers={"X-CSRFToken": csrf})
    assert done.status_code == 200
    assert shop.post("/staff/sign-out", json={}, headers={"X-CSRFToken": csrf}).json == {"staff": False}
    assert shop.get("/api/orders").status_code == 403


def test_a_customer_follows_and_cancels_only_their_own_order(shop: FlaskClient, dapr: FakeDapr) -> None:
    placed = shop.post("/api/orders", json=sample_order("o1"))
    assert placed.status_code == 202
    token = placed.json["order_token"]
    other = shop.post("/api/orders", json=sample_order("o2")).json["order_token"]
    assert token != other and len(token) >= 22
    assert shop.get("/api/orders/o1").status_code == 403
    assert shop.get("/api/orders/o1", headers={"X-Order-Token": other}).status_code == 403
    assert shop.get("/api/orders/o1", headers={"X-Order-Token": token}).status_code == 200
    assert shop.post("/api/orders/o1/pause", json={}, headers={"X-Order-Token": token}).status_code == 403
    dapr.handlers[WORKFLOW_APP, "cancel-order"] = lambda d: (200, {"order_id": "o1", "status": "cancelled"})
    cancelled = shop.post("/api/orders/o1/cancel", json={}, headers={"X-Order-Token": token})
    assert cancelled.json == {"order_id": "o1", "status": "cancelled"}


def test_a_browser_streams_the_orders_it_showed_the_token_of_and_no_token_goes_in_a_url(
    app_locked: Flask, shop: FlaskClient
) -> None:
    token = shop.post("/api/orders", json=sample_order("o1")).json["order_token"]
    stream = shop.get("/api/events?order=o1", buffered=False)  # the browser that placed it
    assert stream.status_code == 200
    stream.close()
    other = app_locked.test_client()  # another browser, the order's token in its local storage
    refused = other.get("/api/events?order=o1")
    assert refused.status_code == 403 and "POST /api/orders/<order_id>/follow" in refused.json["error"]
    assert other.get("/api/orders/o1/events").status_code == 403
    wrong = other.post("/api/orders/o1/follow", json={}, headers={"X-Order-Token": token[::-1]})
    assert wrong.status_code == 403
    followed = other.post("/api/orders/o1/follow", json={}, headers={"X-Order-Token": token})
    assert followed.json == {"order_id": "o1", "following": True}
    cookie = followed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token not in cookie
    for path in ("/api/events?order=o1", "/api/orders/o1/events"):
        stream = other.get(path, buffered=False)
        assert stream.status_code == 200, path
        stream.close()
    assert other.get("/api/events?order=o1&order=o2").json["orders"] == ["o2"]
    for path in (f"/api/events?order=o1&token={token}", f"/api/orders/o1/events?token={token}"):
        in_url = other.get(path)
        assert in_url.status_code == 400 and "does not go in a URL" in in_url.json["error"], path
    assert other.get(f"/api/orders/o1?token={token}").status_code == 403  # a header, or nothing


def test_without_a_staff_token_everyone_acts_as_staff_and_the_page_is_told(client: FlaskClient) -> None:
    assert client.get("/api/session").json["open"] is True
    assert client.get("/api/orders/o1").status_code != 403


def test_a_sign_in_link_signs_in_once(shop: FlaskClient, dapr: FakeDapr) -> None:
    link = f"/staff?token={signin.mint(SECRET)}"
    assert shop.get(link).status_code == 303
    assert shop.get("/api/orders").status_code != 403
    again = shop.application.test_client().get(link)  # another browser, with the same link
    assert again.status_code == 403 and "used already" in again.json["error"]
    assert again.json["error"].endswith("`pizza staff-link` prints a new one")


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (expired_token(SECRET), "expired"),
        (expired_token("another secret"), "not a sign-in link"),
        (signin.mint("another secret"), "not a sign-in link"),
        (STAFF, "not a sign-in link"),  # the long-lived token belongs in a header, not in a URL
        ("", "not a sign-in link"),
    ],
)
def test_a_link_not_signed_by_the_secret_or_expired_signs_no_one_in(
    shop: FlaskClient, dapr: FakeDapr, token: str, problem: str
) -> None:
    refused = shop.get(f"/staff?token={token}")
    assert refused.status_code == 403 and problem in refused.json["error"]
    assert shop.get("/api/session").json["staff"] is False
    assert dapr.state == {}
