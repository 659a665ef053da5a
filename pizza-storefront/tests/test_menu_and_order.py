"""The storefront's menu and orders: prices come from the shop, never from the client."""

from flask.testing import FlaskClient

from pizza_common.contract.menu import CURRENCY, MENU, SIZES, format_cents
from pizza_common.contract.statuses import STOREFRONT_STAGES
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order


def test_menu_is_the_shared_menu(client: FlaskClient) -> None:
    menu = client.get("/menu").json
    assert menu["currency"] == CURRENCY
    assert menu["sizes"] == list(SIZES)
    assert [p["type"] for p in menu["pizzas"]] == list(MENU)
    for pizza in menu["pizzas"]:
        shared = MENU[pizza["type"]]
        assert pizza["name"] == shared.name
        assert pizza["ingredients"] == list(shared.ingredients)
        assert pizza["prices_cents"] == shared.prices_cents
        assert pizza["prices"] == {size: format_cents(cents) for size, cents in shared.prices_cents.items()}
    assert menu["pizzas"][0]["prices"]["small"] == "9.00 USD"


def test_order_is_priced_by_the_shop_and_confirmed(client: FlaskClient, dapr: FakeDapr) -> None:
    order = sample_order(pizza_type="pepperoni", size="large", quantity=3)
    resp = client.post("/order", json=order)
    assert resp.status_code == 200
    assert resp.json["status"] == "confirmed"
    assert resp.json["total_cents"] == 5400
    assert resp.json["quantity"] == 3
    assert dapr.statuses(order["order_id"]) == [s for s, _ in STOREFRONT_STAGES]
    # What is published is the order itself, without the storefront's total.
    assert all("total_cents" not in data for _, data in dapr.published)


def test_unknown_pizza_or_size_names_the_valid_choices(client: FlaskClient, dapr: FakeDapr) -> None:
    resp = client.post("/order", json=sample_order(pizza_type="calzone"))
    assert resp.status_code == 422
    assert resp.json["problems"][0]["field"] == "pizza_type"
    assert all(name in resp.json["problems"][0]["problem"] for name in MENU)
    resp = client.post("/order", json=sample_order(size="huge"))
    assert resp.status_code == 422
    assert resp.json["problems"][0]["field"] == "size"
    assert all(size in resp.json["problems"][0]["problem"] for size in SIZES)
    assert dapr.published == []


def test_a_client_sent_total_is_refused(client: FlaskClient, dapr: FakeDapr) -> None:
    resp = client.post("/order", json=sample_order(total_cents=1))
    assert resp.status_code == 422
    assert "total_cents" in resp.json["error"]
    assert dapr.published == []


def test_bad_quantities_are_refused(client: FlaskClient, dapr: FakeDapr) -> None:
    for quantity in (0, 21, "two"):
        assert client.post("/order", json=sample_order(quantity=quantity)).status_code == 422
    assert dapr.published == []


def test_openapi_describes_menu_order_and_payments(client: FlaskClient) -> None:
    spec = client.get("/openapi/openapi.json").json
    assert {"/menu", "/order", "/pay", "/refund", "/payments/{order_id}"} <= set(spec["paths"])
    schemas = set(spec["components"]["schemas"])
    assert {"Menu", "MenuPizza", "PricedOrder", "ChargeRequest", "PaymentResult", "PaymentRecord"} <= schemas
