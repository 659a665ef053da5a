"""Hand-picked bad input on every route that takes a body, and names from the far corners of Unicode."""

import json

import pytest
from flask_openapi3 import OpenAPI

from pizza_common.contract.names import PORTS
from tests.fuzz.apps import SETTINGS, build, stored
from tests.support.orders import sample_order

APPS = {service: build(service) for service in PORTS}
BODY_ROUTES = [
    (service, rule.rule)
    for service, app in APPS.items()
    for rule in app.url_map.iter_rules()
    if "POST" in (rule.methods or ()) and "<" not in rule.rule
]
NAMES = {
    "emoji with joiners": "🍕 Ada 👩🏽‍💻 🏳️‍🌈",
    "right to left": "עדה לאבלייס",
    "right-to-left override": "\u202eecalevoL adA",
    "zero-width space and joiner": "Ada\u200bLove\u200dlace",
    "byte order mark": "\ufeffAda",
    "NUL": "Ada\x00Lovelace",
    "combining marks": "A\u0301da\u0308",
    "longest allowed": "🍕" * 200,
    "astral plane": "\U0001d504\U0001d521\U0001d51e \U00013000",
}
REFUSED_NAMES = {
    "too long": "A" * 201,
    "emoji too long": "🍕" * 201,
    "blank": " \t ",
    "lone surrogate": "\ud800",
}
NOT_JSON = ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
STAGES = [("pizza-storefront", "/order"), ("pizza-kitchen", "/cook"), ("pizza-delivery", "/deliver")]


def _send(app: OpenAPI, path: str, data: bytes | str, content_type: str) -> tuple[int, dict[str, object]]:
    before = stored(app)
    resp = app.test_client().post(path, data=data, content_type=content_type)
    assert stored(app) == before, f"{path} changed what is stored on a refused request"
    return resp.status_code, resp.get_json()


@pytest.mark.parametrize(("service", "path"), BODY_ROUTES)
def test_a_body_over_the_limit_is_refused_with_413(service: str, path: str) -> None:
    body = json.dumps({"order_id": "x" * SETTINGS.max_body_bytes})
    status, answer = _send(APPS[service], path, body, "application/json")
    assert (status, "error" in answer) == (413, True)


@pytest.mark.parametrize(("service", "path"), BODY_ROUTES)
@pytest.mark.parametrize("content_type", NOT_JSON)
def test_a_body_that_is_not_json_is_refused_with_415(service: str, path: str, content_type: str) -> None:
    status, answer = _send(APPS[service], path, json.dumps(sample_order()), content_type)
    assert (status, "error" in answer) == (415, True)


@pytest.mark.parametrize(("service", "path"), BODY_ROUTES)
@pytest.mark.parametrize("body", ['{"order_id": ', "{'order_id': 'x'}", "\xff\xfe", "NaN?", ""])
def test_malformed_json_is_refused_with_400(service: str, path: str, body: str) -> None:
    status, answer = _send(APPS[service], path, body.encode("latin-1"), "application/json")
    assert (status, "error" in answer) == (400, True)


@pytest.mark.parametrize("name", NAMES.values(), ids=NAMES.keys())
def test_a_name_from_anywhere_in_unicode_is_kept_as_sent(name: str) -> None:
    order = sample_order()
    order["customer"]["name"] = name
    client = APPS["pizza-order"].test_client()
    assert client.post("/order", json=order).status_code == 201
    kept = client.get(f"/order/{order['order_id']}").get_json()
    assert kept["customer"]["name"] == name
    for service, path in STAGES:
        answer = APPS[service].test_client().post(path, json=order)
        assert (answer.status_code, answer.get_json()["customer"]["name"]) == (200, name), service


@pytest.mark.parametrize("name", REFUSED_NAMES.values(), ids=REFUSED_NAMES.keys())
@pytest.mark.parametrize("service", ["pizza-order", "pizza-workflow"])
def test_a_name_too_long_blank_or_not_unicode_is_refused_with_422(service: str, name: str) -> None:
    order = sample_order()
    order["customer"]["name"] = name
    path = "/order" if service == "pizza-order" else "/start-order"
    status, answer = _send(APPS[service], path, json.dumps(order), "application/json")
    assert (status, answer["problems"][0]["field"]) == (422, "customer.name")


@pytest.mark.parametrize("order_id", ["🍕", "..%2F..%2Fetc", "%00", "a" * 300, "\u202e1", "%F0%9F"])
@pytest.mark.parametrize("path", ["/order/{}", "/get-status/{}", "/payments/{}"])
def test_a_strange_order_id_in_a_path_is_refused_or_unknown(path: str, order_id: str) -> None:
    for app in APPS.values():
        assert app.test_client().get(path.format(order_id)).status_code in {404, 422}
