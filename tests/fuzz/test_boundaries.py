"""The apps' side of their sidecars, in-process: the app token on routes for Dapr only, and /healthz."""

import socket
import time

import pytest
from flask.testing import FlaskClient

from pizza_common.contract.names import DELIVERY_APP, KITCHEN_APP, ORDER_APP, STOREFRONT_APP, WORKFLOW_APP
from pizza_common.service.healthz import sidecar_probe
from pizza_common.service.settings import DaprSettings
from tests.fuzz.apps import SETTINGS, build
from tests.support.orders import sample_order

TOKEN = "app-token-\u00e9"  # not ASCII: the comparison must still be a refusal, not a 500
DAPR_ONLY = {
    STOREFRONT_APP: ["/order", "/pay", "/refund"],
    KITCHEN_APP: ["/cook", "/reserve", "/release", "/inventory/restock"],
    DELIVERY_APP: ["/deliver"],
    ORDER_APP: ["/orders-sub"],
}
OPEN = {
    STOREFRONT_APP: ["/menu"],
    KITCHEN_APP: ["/inventory"],
    ORDER_APP: ["/order/nobody"],
    WORKFLOW_APP: ["/get-status/nobody", "/orders"],
}


def locked(service: str, **config: object) -> FlaskClient:
    settings = SETTINGS.model_copy(update={"app_api_token": TOKEN})
    return build(service, SETTINGS=settings, **config).test_client()


@pytest.mark.parametrize(("service", "path"), [(s, p) for s, paths in DAPR_ONLY.items() for p in paths])
def test_a_route_for_dapr_only_wants_the_app_token_first(service: str, path: str) -> None:
    client = locked(service)
    # The last one goes out as latin-1 bytes, not as the UTF-8 bytes daprd sends.
    for headers in ({}, {"dapr-api-token": "wrong"}, {"dapr-api-token": TOKEN}):
        resp = client.post(path, data="not even json", headers=headers)
        assert resp.status_code == 401, (headers, resp.get_json())
    as_daprd_sends_it = TOKEN.encode().decode("latin-1")  # its UTF-8 bytes, as WSGI hands them over
    sent = client.post(path, data="not json", headers={"dapr-api-token": as_daprd_sends_it})
    assert sent.status_code == 415  # past the token, on to the body's checks


@pytest.mark.parametrize(("service", "path"), [(s, p) for s, paths in OPEN.items() for p in paths])
def test_routes_for_customers_and_health_need_no_token(service: str, path: str) -> None:
    client = locked(service)
    assert client.get(path).status_code in {200, 404}
    assert client.get("/healthz").get_json()["status"] == "ok"


def test_without_a_token_configured_nothing_is_checked() -> None:
    resp = build(DELIVERY_APP).test_client().post("/deliver", json=sample_order())
    assert resp.status_code == 200


def test_health_is_degraded_while_the_sidecar_does_not_answer() -> None:
    client = locked(ORDER_APP, DAPR_HEALTH=lambda: False)
    resp = client.get("/healthz")
    assert (resp.status_code, resp.get_json()["status"]) == (503, "degraded")


def test_the_sidecar_probe_fails_fast_on_a_closed_port() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, never listening: connections are refused
        probe = sidecar_probe(0.3, DaprSettings(http_port=port))
        started = time.monotonic()
        assert probe() is False
    assert time.monotonic() - started < 1
