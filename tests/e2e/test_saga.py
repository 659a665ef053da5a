"""The saga on the real runtime: money and ingredients add up on every path."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from pizza_common.contract.menu import MENU
from tests.suite import poll
from tests.support.orders import sample_order

pytestmark = pytest.mark.e2e
WF, SHOP, KITCHEN = "pizza-workflow", "pizza-storefront", "pizza-kitchen"


def stock(suite: Any, ingredient: str) -> dict[str, int]:
    return dict(suite.get(KITCHEN, "/inventory").json()["ingredients"][ingredient])


def payment(suite: Any, oid: str) -> dict[str, Any]:
    return dict(suite.get(SHOP, f"/payments/{oid}").json())


def decide(suite: Any, oid: str, approved: bool, attempt: int = 0) -> None:
    suite.wait_status(
        oid, lambda s: s.get("stage") == "pending_validation" and s.get("attempt", 0) == attempt
    )
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": approved}).status_code == 200


def finished(suite: Any, oid: str) -> dict[str, Any]:
    return dict(suite.wait_status(oid, lambda s: s.get("runtime_status") in {"COMPLETED", "FAILED"}))


def test_a_delivered_order_is_charged_once_and_uses_its_ingredients(suite: Any) -> None:
    before = stock(suite, "ham")
    oid = suite.start(pizza_type="hawaiian", quantity=2)["order_id"]
    status = suite.wait_stage(oid, "pending_validation")
    assert (status["total_cents"], status["payment"], status["inventory"]) == (3800, "charged", "consumed")
    decide(suite, oid, True)
    assert finished(suite, oid)["output"]["status"] == "delivered"
    assert (payment(suite, oid)["charges"], payment(suite, oid)["refunds"]) == (1, 0)
    after = stock(suite, "ham")
    assert (after["on_hand"], after["reserved"]) == (before["on_hand"] - 2, before["reserved"])


def test_remakes_exhausted_refund_and_consume_three_pizzas(suite: Any) -> None:
    before = stock(suite, "ham")
    oid = suite.start(pizza_type="hawaiian")["order_id"]
    for attempt in range(3):
        decide(suite, oid, False, attempt)
    done = finished(suite, oid)
    assert (done["output"]["status"], done["output"]["error"]) == (
        "rejected",
        "rejected by quality check after 2 remakes",
    )
    assert payment(suite, oid)["status"] == "refunded"
    assert stock(suite, "ham")["on_hand"] == before["on_hand"] - 3
    assert suite.history(oid, "rejected")[-2:] == ["payment_refunded", "rejected"]


def test_a_large_order_waits_for_a_manager(suite: Any) -> None:
    oid = suite.start(quantity=6)["order_id"]  # 6 large pepperoni: 108.00 USD
    suite.wait_stage(oid, "awaiting_manager_approval")
    assert suite.post(WF, "/validate-pizza", {"order_id": oid, "approved": True}).status_code == 409
    assert suite.post(WF, "/approve-order", {"order_id": oid, "approved": True}).json() == {
        "order_id": oid,
        "approval_status": "approved",
    }
    assert suite.post(WF, "/approve-order", {"order_id": oid, "approved": False}).status_code == 409
    decide(suite, oid, True)
    assert finished(suite, oid)["output"]["status"] == "delivered"
    assert payment(suite, oid)["amount_cents"] == 10_800


def test_a_refused_large_order_is_never_charged(suite: Any) -> None:
    oid = suite.start(quantity=6)["order_id"]
    suite.wait_stage(oid, "awaiting_manager_approval")
    suite.post(WF, "/approve-order", {"order_id": oid, "approved": False})
    done = finished(suite, oid)
    assert (done["output"]["status"], done["output"]["error"]) == ("cancelled", "refused by a manager")
    assert suite.get(SHOP, f"/payments/{oid}").status_code == 404


def test_a_declined_card_releases_the_ingredients(suite: Any) -> None:
    before = stock(suite, "ham")
    oid = suite.start(pizza_type="hawaiian", payment_token="tok_chargeDeclined")["order_id"]
    done = finished(suite, oid)
    assert (done["output"]["status"], done["output"]["error"]) == ("payment_declined", "card declined")
    assert stock(suite, "ham") == before
    assert suite.history(oid, "payment_declined")[-2:] == ["ingredients_released", "payment_declined"]


def test_cancel_during_cooking_refunds_and_leaves_no_reservation(suite: Any) -> None:
    before = stock(suite, "ham")
    oid = suite.start(pizza_type="hawaiian")["order_id"]
    suite.wait_stage(oid, "kitchen")
    assert suite.post(WF, "/cancel-order", {"order_id": oid}).status_code == 200
    done = finished(suite, oid)
    assert done["output"]["status"] == "cancelled"
    assert payment(suite, oid)["status"] == "refunded"
    # The cook in flight used the ingredients before the release, or the release refused it:
    # either way nothing stays reserved, and nothing can be taken after the release.
    after = stock(suite, "ham")
    assert after["reserved"] == before["reserved"]
    assert after["on_hand"] in {before["on_hand"], before["on_hand"] - 1}


def test_concurrent_orders_for_the_last_units_never_oversell(suite: Any) -> None:
    shelf = suite.get(KITCHEN, "/inventory").json()["ingredients"]
    needs = MENU["margherita"].ingredients
    units = min(shelf[i]["available"] for i in needs)  # as many margheritas as the shelf can make
    ids = [sample_order()["order_id"] for _ in range(units + 12)]

    def reserve(oid: str) -> int:
        # A 503 means the kitchen lost its ETag races too often: retry, as the workflow's policy does.
        body = {"order_id": oid, "pizza_type": "margherita", "quantity": 1, "attempt": 0}
        answer = poll(lambda: suite.post(KITCHEN, "/reserve", body), lambda r: r.status_code != 503, 60, oid)
        return int(answer.status_code)

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(reserve, ids))
    assert (codes.count(200), codes.count(409)) == (units, 12)
    held = suite.get(KITCHEN, "/inventory").json()["ingredients"]
    for name in needs:
        assert held[name]["reserved"] == shelf[name]["reserved"] + units
        assert held[name]["available"] == shelf[name]["available"] - units >= 0
    for oid in ids:
        assert suite.post(KITCHEN, "/release", {"order_id": oid}).status_code == 200
    assert suite.get(KITCHEN, "/inventory").json()["ingredients"] == shelf


def test_bad_saga_input_changes_nothing(suite: Any) -> None:
    before = suite.get(KITCHEN, "/inventory").json()
    for bad in ({"items": {"mozzarella": -1}}, {"items": {"mozzarella": "ten"}}, {"items": {"gold": 1}}):
        assert suite.post(KITCHEN, "/inventory/restock", bad).status_code == 422
    assert suite.get(KITCHEN, "/inventory").json() == before
    assert suite.post(WF, "/approve-order", {"order_id": "nobody-here", "approved": True}).status_code == 404
    oid = suite.start(pizza_type="hawaiian")["order_id"]
    needless = suite.post(WF, "/approve-order", {"order_id": oid, "approved": True})
    assert needless.status_code == 409
    suite.post(WF, "/cancel-order", {"order_id": oid})
    finished(suite, oid)
    assert suite.post(WF, "/cancel-order", {"order_id": oid}).status_code == 409
    menu = suite.get(SHOP, "/menu").json()
    assert {p["type"] for p in menu["pizzas"]} == {"margherita", "pepperoni", "hawaiian", "veggie"}


def test_a_delivered_order_id_cannot_be_used_again_after_a_purge(suite: Any) -> None:
    """A reused id used to get a pizza for free: its charge key answered with the first run's charge."""
    oid = suite.start()["order_id"]
    decide(suite, oid, True)
    assert finished(suite, oid)["output"]["status"] == "delivered"
    charged = payment(suite, oid)
    assert oid in suite.purge()
    again = suite.post(WF, "/start-order", sample_order(order_id=oid))
    assert again.status_code == 409, again.text
    assert "used before" in again.json()["error"]
    assert suite.get(WF, f"/get-status/{oid}").status_code == 404  # no second run
    assert payment(suite, oid) == charged  # and no second order on the first charge
    history = [h["status"] for h in suite.get("pizza-order", f"/order/{oid}").json()["history"]]
    assert history.count("delivered") == 1


def test_a_cancel_sent_as_the_pizza_leaves_gets_the_pizza_or_the_refund_never_both(suite: Any) -> None:
    """Approve, then cancel at once: the answer says which happened, and the money agrees with it."""
    oids = [suite.start()["order_id"] for _ in range(4)]
    answers = {}
    for oid in oids:
        decide(suite, oid, True)
        answers[oid] = suite.post(WF, "/cancel-order", {"order_id": oid})
    for oid, answer in answers.items():
        done = finished(suite, oid)
        paid = payment(suite, oid)
        history = suite.history(oid, done["output"]["status"])
        if answer.status_code == 200:
            assert done["output"]["status"] == "cancelled", done
            assert (paid["status"], paid["refunds"]) == ("refunded", 1)
            assert "delivered" not in history
        else:
            assert (answer.status_code, answer.json()["stage"]) == (409, "delivery"), answer.text
            assert done["output"]["status"] == "delivered", done
            assert (paid["status"], paid["charges"], paid["refunds"]) == ("charged", 1, 0)
            assert "cancelled" not in history
