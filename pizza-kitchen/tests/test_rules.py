"""The inventory's rules themselves (pizza_kitchen.stock_rules): pure, each answer and each new document."""

import pytest

from pizza_common.contract.inventory import ReservationStatus
from pizza_kitchen import stock, stock_rules
from pizza_kitchen.stock import Stock, new_stock

NEED = {"dough": 1, "basil": 1}


@pytest.fixture(autouse=True)
def _finished_stay(monkeypatch: pytest.MonkeyPatch) -> None:
    # The store moves a finished order out of the document and back in when it is asked about.
    monkeypatch.setattr(stock, "KEEP_FINISHED", 10)


def reserved(stock: Stock, order_id: str = "o-1", attempt: int = 0, need: dict[str, int] = NEED) -> Stock:
    new = stock_rules.reserve(stock, order_id, attempt, need).write
    assert new is not None
    return new


def test_no_change_touches_the_document_it_was_given() -> None:
    """A lost race decides again on a fresh read: the document it decided on must not have moved."""
    held = reserved(new_stock(5))
    changes = [
        lambda s: stock_rules.restock(s, {"dough": 3}),
        lambda s: stock_rules.reserve(s, "o-2", 0, NEED),
        lambda s: stock_rules.consume(s, "o-1", 0, NEED),
        lambda s: stock_rules.release(s, "o-1"),
    ]
    for change in changes:
        given = held.model_copy(deep=True)
        assert change(given).write is not None
        assert given == held


def test_a_cook_uses_up_what_its_attempt_reserved_not_what_it_asks_for() -> None:
    used = stock_rules.consume(reserved(new_stock(5)), "o-1", 0, {"dough": 2, "basil": 2})
    assert used.answer.items == NEED
    assert used.write is not None
    assert (used.write.on_hand["dough"], used.write.reserved["dough"]) == (4, 0)


def test_releasing_twice_writes_nothing_the_second_time() -> None:
    released = stock_rules.release(reserved(new_stock(5)), "o-1").write
    assert released is not None
    again = stock_rules.release(released, "o-1")
    assert (again.answer.status, again.answer.items, again.write) == (ReservationStatus.RELEASED, {}, None)


def test_out_of_stock_names_each_short_ingredient_and_the_attempt() -> None:
    empty = Stock(on_hand={"dough": 0, "basil": 1}, reserved={"dough": 0, "basil": 0})
    short = stock_rules.reserve(empty, "o-1", 1, {"dough": 1, "basil": 2})
    assert (short.answer.status, short.answer.attempt, short.write) == (
        ReservationStatus.OUT_OF_STOCK,
        1,
        None,
    )
    assert short.answer.missing == {"dough": 1, "basil": 1}
    assert (
        short.answer.error == "not enough dough: need 1, 0 available; not enough basil: need 2, 1 available"
    )


def test_a_reserve_after_the_release_is_refused_for_its_own_attempt() -> None:
    released = stock_rules.release(new_stock(5), "o-1").write
    assert released is not None
    late = stock_rules.reserve(released, "o-1", 2, NEED)
    assert (late.answer.status, late.answer.attempt, late.write) == (ReservationStatus.RELEASED, 2, None)
