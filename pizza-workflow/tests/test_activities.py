"""The real activities at Dapr's boundary: what they send, publish and record."""

from collections.abc import Iterator

import pytest

from pizza_common.contract.models import Order
from pizza_common.contract.statuses import OrderStatus
from pizza_common.service.settings import Settings
from pizza_workflow import activities as act
from pizza_workflow.checks import QUALITY, Record
from pizza_workflow.types import CookInput, DeliverInput, StatusNote
from tests.support.dapr_double import FakeDapr
from tests.support.orders import sample_order


@pytest.fixture
def dapr() -> Iterator[FakeDapr]:
    fake = FakeDapr()
    act.use_gateway(fake)
    yield fake
    act._dapr = None


def _order(order_id: str) -> Order:
    return Order.model_validate(sample_order(order_id))


def test_cooking_publishes_what_it_carries_then_opens_the_quality_check(dapr: FakeDapr) -> None:
    order = _order("a-1")
    carried = [StatusNote(order=order, status=s) for s in ("ingredients_reserved", "payment_charged")]
    dapr.handlers[("pizza-kitchen", "cook")] = lambda _: (200, {"status": "cooked"})
    cooked = act.cook_pizza(None, CookInput(**order.model_dump(), attempt=1, notes=carried))  # type: ignore[arg-type]
    assert cooked.ok
    sent = dapr.invoked[0][2]
    assert "notes" not in sent and sent["attempt"] == 1  # the kitchen gets its own contract only
    assert dapr.statuses("a-1") == ["ingredients_reserved", "payment_charged", "pending_validation"]
    record, _ = dapr.get_state(QUALITY.key("a-1"))
    assert Record.model_validate(record).status == OrderStatus.PENDING_VALIDATION
    assert Record.model_validate(record).attempt == 1
    assert dapr.ttls[QUALITY.key("a-1")] == Settings().retention_s  # gone a retention after its last write


def test_a_cooking_the_kitchen_refuses_opens_no_check(dapr: FakeDapr) -> None:
    order = _order("a-2")
    dapr.handlers[("pizza-kitchen", "cook")] = lambda _: (409, {"status": "cooking_failed", "error": "oven"})
    cooked = act.cook_pizza(None, CookInput(**order.model_dump()))  # type: ignore[arg-type]
    assert not cooked.ok and cooked.error == "oven"
    assert dapr.get_state(QUALITY.key("a-2")) == (None, None)
    assert dapr.statuses("a-2") == []


def test_a_retried_cooking_does_not_reopen_a_decided_check(dapr: FakeDapr) -> None:
    order = _order("a-3")
    decided = Record(order_id="a-3", status=OrderStatus.APPROVED, attempt=0)
    dapr.save_state(QUALITY.key("a-3"), decided.model_dump(mode="json"))
    act.cook_pizza(None, CookInput(**order.model_dump()))  # type: ignore[arg-type]
    record, _ = dapr.get_state(QUALITY.key("a-3"))
    assert Record.model_validate(record).status == OrderStatus.APPROVED


def test_delivery_announces_the_approval_before_it_calls_delivery(dapr: FakeDapr) -> None:
    order = _order("a-4")
    note = StatusNote(order=order, status=OrderStatus.APPROVED)
    dapr.handlers[("pizza-delivery", "deliver")] = lambda _: (200, {"status": "delivered"})
    assert act.deliver_pizza(None, DeliverInput(**order.model_dump(), notes=[note])).ok  # type: ignore[arg-type]
    assert dapr.statuses("a-4") == ["approved"]
    assert "notes" not in dapr.invoked[0][2]
