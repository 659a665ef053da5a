"""The merge of status updates itself (pizza_order.history): which reports are late, and when it changed."""

from datetime import UTC, datetime, timedelta

from pizza_common.contract.models import StatusUpdate
from pizza_order.history import merge
from pizza_order.records import OrderRecord
from tests.support.orders import sample_order

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def update(status: str, seconds: int) -> StatusUpdate:
    at = (T0 + timedelta(seconds=seconds)).isoformat()
    return StatusUpdate.model_validate(
        sample_order("o-1") | {"status": status, "timestamp": at, "event_id": status}
    )


def merged(*updates: StatusUpdate) -> OrderRecord:
    record = None
    for u in updates:
        record = merge(record, u) or record
    assert record is not None
    return record


def test_only_a_report_stamped_after_the_ending_is_late() -> None:
    record = merged(
        update("cooking_making_dough", 1),
        update("cancelled", 5),
        update("cooking_adding_toppings", 3),  # before the cancel, delivered after it
        update("cooking_baking", 5),  # at the very moment of the cancel
        update("cooked", 6),
    )
    assert record.status == "cancelled"
    late = {h.status: h.late for h in record.history}
    assert late == {
        "cooking_making_dough": False,
        "cooking_adding_toppings": False,
        "cancelled": False,
        "cooking_baking": False,
        "cooked": True,
    }


def test_every_report_merged_marks_the_order_changed() -> None:
    for first, then in (("cooking_baking", "cooked"), ("cancelled", "cooked")):  # open, then ended
        record = merged(update(first, 5)).model_copy(update={"updated_at": T0})
        later = merge(record, update(then, 6))
        assert later is not None
        assert later.updated_at > T0, first
