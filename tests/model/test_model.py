"""A model of the running suite: hypothesis plays customers, staff, operators and the kitchen over
HTTP, some of them at once, and checks after every step and at the end of each run that money,
stock, the answers given and pizza-order's records agree with how each order ended."""

import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from pizza_common.contract.menu import INGREDIENTS, MENU, ingredients_for
from pizza_common.contract.payments import DECLINED_TOKEN
from pizza_run.suite import running
from tests.suite import READY_S, Suite
from tests.support.orders import sample_order

EXAMPLES = int(os.environ.get("PIZZA_MODEL_EXAMPLES", "15"))
STEPS = int(os.environ.get("PIZZA_MODEL_STEPS", "20"))
pytestmark = [pytest.mark.faults, pytest.mark.model, pytest.mark.timeout(180 + 60 * EXAMPLES)]

WF, SHOP, KITCHEN, ORDERS = "pizza-workflow", "pizza-storefront", "pizza-kitchen", "pizza-order"
DECIDE_S = 2.0  # how long staff and managers get: short, so that some checks time out in the model
STOCK = 25  # units of each ingredient at the start of each run: some orders run out
SETTINGS = {
    "PIZZA_TIME_SCALE": "0",
    "PIZZA_VALIDATION_TIMEOUT_S": str(DECIDE_S),
    "PIZZA_APPROVAL_TIMEOUT_S": str(DECIDE_S),
    "PIZZA_CANCEL_WAIT_S": "1",
    "PIZZA_INITIAL_STOCK": str(STOCK),
}
# Where each check waits, the route that answers it, and the outcomes its timeout leads to.
CHECKS = {"pending_validation": "/validate-pizza", "awaiting_manager_approval": "/approve-order"}
ENDED_AT = {"COMPLETED", "FAILED", "TERMINATED"}
MANAGER_ENDINGS = {"no manager approval in time", "refused by a manager"}
END_S = 90.0  # an order that nobody answers ends within about 4 deadlines
T = TypeVar("T")


@dataclass
class Tracked:
    """An order the model placed, and what the suite told the people acting on it."""

    order_id: str
    pizza_type: str
    quantity: int
    cancels: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    approved: set[str] = field(default_factory=set)  # the stages whose check got a 200 approved=true
    terminated: bool = False  # an operator's terminate answered 200
    log: list[str] = field(default_factory=list)  # what was asked of the suite, and its answers
    checked: bool = False


def outcome(view: dict[str, Any]) -> str | None:
    """Return how the order ended (its output's status, else its runtime status), or None if it runs."""
    if view.get("runtime_status") not in ENDED_AT:
        return None
    out = view.get("output")
    return (
        str(out["status"]) if isinstance(out, dict) and out.get("status") else view["runtime_status"].lower()
    )


def settle(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float) -> T:
    """Call fetch until done(result) or the deadline; return the last result, for an assert to judge."""
    deadline = time.monotonic() + timeout
    while not done(result := fetch()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return result


def net_cents(pay: dict[str, Any] | None) -> int:
    """Return what the customer paid and was not given back, from the storefront's payment record."""
    return 0 if pay is None else int(pay["amount_cents"]) * (int(pay["charges"]) - int(pay["refunds"]))


class ShopModel(RuleBasedStateMachine):
    """Customers, staff, operators and the kitchen acting on the running suite, with its invariants."""

    suite: Suite  # set by the test before the machine runs
    seen: Counter[str] = Counter()  # runs, steps, orders and endings over the whole test, for its report
    orders = Bundle("orders")

    def __init__(self) -> None:
        super().__init__()
        self.tracked: dict[str, Tracked] = {}
        self.restocked: Counter[str] = Counter()
        self.start = self.inventory()
        self.seen["runs"] += 1
        self.steps = 0
        self.violations: list[str] = []
        self.pool = ThreadPoolExecutor(2)

    # Reading the suite.
    def inventory(self) -> dict[str, dict[str, int]]:
        resp = self.suite.get(KITCHEN, "/inventory")
        assert resp.status_code == 200, resp.text
        return {name: dict(level) for name, level in resp.json()["ingredients"].items()}

    def view(self, oid: str) -> dict[str, Any]:
        resp = self.suite.get(WF, f"/get-status/{oid}")
        assert resp.status_code == 200, f"order {oid}: {resp.status_code} {resp.text}"
        return dict(resp.json())

    def payment(self, oid: str) -> dict[str, Any] | None:
        resp = self.suite.get(SHOP, f"/payments/{oid}")
        assert resp.status_code in {200, 404}, resp.text
        return dict(resp.json()) if resp.status_code == 200 else None

    def record(self, oid: str) -> dict[str, Any]:
        resp = self.suite.get(ORDERS, f"/order/{oid}")
        return dict(resp.json()) if resp.status_code == 200 else {}

    def at_check(self, oid: str) -> dict[str, Any]:
        """Wait briefly for the order to wait on a person (or to end); return its view."""
        return settle(
            lambda: self.view(oid), lambda v: v.get("stage") in CHECKS or outcome(v) is not None, DECIDE_S
        )

    # Customers.
    @rule(
        target=orders,
        pizza=st.sampled_from(sorted(MENU)),
        quantity=st.integers(1, 7),
        declined=st.sampled_from([False, False, False, True]),
        through_shop=st.booleans(),
    )
    def order(self, pizza: str, quantity: int, declined: bool, through_shop: bool) -> str:
        body = sample_order(pizza_type=pizza, quantity=quantity)
        if declined:
            body["payment_token"] = DECLINED_TOKEN
        if through_shop:  # the shop page's API, which picks the id
            del body["order_id"]
            resp = self.suite.post(ORDERS, "/api/orders", body)
        else:
            resp = self.suite.post(WF, "/start-order", body)
        assert resp.status_code == 202, resp.text
        oid = str(resp.json()["order_id"])
        self.tracked[oid] = Tracked(oid, pizza, quantity)
        self.seen["orders"] += 1
        return oid

    @rule(oid=orders)
    def follow(self, oid: str) -> None:
        assert self.view(oid)["order_id"] == oid

    @rule(oid=orders)
    def cancel(self, oid: str) -> None:
        self.note_cancel(oid, self.suite.post(WF, "/cancel-order", {"order_id": oid}))

    def note_cancel(self, oid: str, resp: httpx.Response) -> None:
        assert resp.status_code in {200, 202, 409}, resp.text
        self.tracked[oid].cancels.append((resp.status_code, dict(resp.json())))
        self.tell(oid, "cancel", resp)

    def tell(self, oid: str, asked: str, resp: httpx.Response) -> None:
        """Log a request about an order and its answer, for the report of a violation."""
        self.tracked[oid].log.append(
            f"{time.time():.3f} {asked}: {resp.status_code} {resp.text.strip()[:160]}"
        )

    # Staff and managers.
    def decide(self, oid: str, stage: str, approved: bool) -> httpx.Response:
        resp = self.suite.post(WF, CHECKS[stage], {"order_id": oid, "approved": approved})
        assert resp.status_code in {200, 409}, resp.text
        if resp.status_code == 200 and approved:
            self.tracked[oid].approved.add(stage)
        self.tell(oid, f"{CHECKS[stage]} approved={approved}", resp)
        return resp

    @rule(oid=orders, approved=st.booleans())
    def answer(self, oid: str, approved: bool) -> None:
        stage = self.at_check(oid).get("stage")
        if stage in CHECKS:
            self.decide(oid, stage, approved)

    @rule(oid=orders, offset=st.floats(-0.4, 0.3))
    def approve_at_the_deadline(self, oid: str, offset: float) -> None:
        now = self.at_check(oid)
        stage = now.get("stage")
        if stage not in CHECKS:
            return
        # The check opened when the stage was set; aim the answer at its deadline, the race looked for.
        opened = datetime.fromisoformat(now["last_updated_at"]).timestamp()
        time.sleep(max(0.0, opened + DECIDE_S + offset - time.time()))
        self.decide(oid, stage, True)

    @rule(oid=orders)
    def approve_while_cancelling(self, oid: str) -> None:
        stage = self.at_check(oid).get("stage")
        if stage not in CHECKS:
            return
        approving = self.pool.submit(self.decide, oid, stage, True)
        cancelling = self.pool.submit(self.suite.post, WF, "/cancel-order", {"order_id": oid})
        approving.result()
        self.note_cancel(oid, cancelling.result())

    # Operators.
    @rule(oid=orders, action=st.sampled_from(["pause", "resume", "resume", "terminate"]))
    def steer(self, oid: str, action: str) -> None:
        resp = self.suite.post(WF, f"/{action}-order", {"order_id": oid})
        assert resp.status_code in {200, 409}, resp.text
        if action == "terminate" and resp.status_code == 200:
            self.tracked[oid].terminated = True
        self.tell(oid, action, resp)

    # The kitchen.
    @rule(ingredient=st.sampled_from(sorted(INGREDIENTS)), units=st.integers(1, 10))
    def restock(self, ingredient: str, units: int) -> None:
        resp = self.suite.post(KITCHEN, "/inventory/restock", {"items": {ingredient: units}})
        assert resp.status_code == 200, resp.text
        self.restocked[ingredient] += units

    @invariant()
    def holds(self) -> None:
        self.seen["steps"] += 1
        self.steps += 1
        self.check()

    def expect(self, check: Callable[[], None]) -> None:
        """Run a check; keep what it finds for the end of the run, so that every run takes all its
        steps (a real suite's timing differs between replays: failing mid-run confuses the shrinker)."""
        try:
            check()
        except AssertionError as exc:
            if not self.seen["found in run"]:  # when it first showed, before hypothesis shrinks it
                self.seen["found in run"], self.seen["found at step"] = self.seen["runs"], self.seen["steps"]
            self.violations.append(f"after step {self.steps}: {exc}")

    def check(self) -> None:
        """Check the stock, and every order that ended since the last step."""
        self.expect(self.check_stock)
        for order in self.tracked.values():
            if not order.checked:
                view = self.view(order.order_id)
                if outcome(view) is not None:
                    self.expect(partial(self.check_ended, order, view))

    def check_stock(self) -> None:
        """Check that no ingredient is oversold, reserved below zero, or above what came in."""
        for name, level in self.inventory().items():
            ceiling = self.start[name]["on_hand"] + self.restocked[name]
            assert 0 <= level["reserved"] <= level["on_hand"] <= ceiling, (
                f"{name}: {level}, at most {ceiling}"
            )

    def check_ended(self, order: Tracked, view: dict[str, Any]) -> None:
        """Check an ended order's money, the answers its people got, and pizza-order's record."""
        oid, end = order.order_id, outcome(view)
        order.checked = True
        self.seen[f"ended {end}"] += 1
        if view["runtime_status"] == "FAILED":
            # Failed outside the workflow's code (a pause past a check's deadline does, in the SDK:
            # docs/reliability.md): the safety net must give the money and the stock back, and tell.
            swept = self.suite.post(WF, "/sweep-orders", {})
            assert swept.status_code == 200, swept.text
            end = "failed"
            self.seen["failed, then swept"] += 1
        pay = self.payment(oid)
        net, told = (
            net_cents(pay),
            f"order {oid} ended {end} ({view}); payment {pay}; asked: {order.log}",
        )
        assert pay is None or (pay["charges"] <= 1 and pay["refunds"] <= 1), (
            f"charged or refunded twice: {told}"
        )
        if end == "delivered":
            assert net == view["total_cents"], f"a delivered pizza is paid once: {told}"
        elif end == "terminated":
            # Left as it was (README's outcomes): refunded only if it was compensating already.
            kept = pay is None or pay["status"] != "refunded" or "ending" in view
            assert kept, f"a terminate refunds nothing: {told}"
        else:
            assert net == 0, f"only a delivered pizza is paid for: {told}"
        # pizza-order keeps the first outcome: a pizza delivered just before an operator's terminate
        # stays delivered there (and paid), while the workflow reads terminated.
        kept = {end, "delivered"} if end == "terminated" else {end}
        record = settle(lambda: self.record(oid), lambda r: r.get("status") in kept, 30)
        said = record.get("status")
        assert said in kept, f"pizza-order's record says {said}: {told}"
        statuses = [h["status"] for h in record["history"]]
        on_time = [h["status"] for h in record["history"] if not h.get("late")]
        assert on_time[-1] == said, f"pizza-order's history {statuses} does not end {said}: {told}"
        assert statuses.count("delivered") == int(end == "delivered") or end == "terminated", (
            f"pizza-order's history {statuses}: {told}"
        )
        refunded = pay is not None and pay["refunds"] > 0
        assert not (refunded and "delivered" in statuses), f"delivered and refunded: {statuses}, {told}"
        if order.terminated:
            return  # an operator's stop cuts every promise short
        for code, body in order.cancels:
            if code == 200:
                assert end == "cancelled", f"a cancel answered 200, {body}: {told}"
            elif code == 409:
                assert "stage" in body, f"a 409 to a cancel names the stage: {body}"
                by_customer = (
                    end == "cancelled" and view["output"].get("error") == "cancelled by the customer"
                )
                taken = any(c in {200, 202} for c, _ in order.cancels)
                assert not by_customer or taken, f"a cancel answered 409 (too late), {body}: {told}"
            else:
                assert body.get("status") == "cancel_requested", f"a 202 to a cancel: {body}"
        if "pending_validation" in order.approved:
            assert end != "rejected", f"a quality check approved with a 200 counts: {told}"
        if "awaiting_manager_approval" in order.approved:
            refused = end == "cancelled" and view["output"].get("error") in MANAGER_ENDINGS
            assert not refused, f"a manager's approval answered 200 counts: {told}"

    def teardown(self) -> None:
        try:
            self.pool.shutdown()
            self.wait_all_ended()
            self.check()
            self.expect(self.check_stock_conserved)
            assert not self.violations, "\n".join(self.violations)
        finally:
            self.top_up()

    def wait_all_ended(self) -> None:
        """Resume what operators paused, then wait until every order has ended."""
        deadline = time.monotonic() + END_S
        for oid in self.tracked:
            while outcome(view := self.view(oid)) is None:
                if view["runtime_status"] == "SUSPENDED":
                    self.suite.post(WF, "/resume-order", {"order_id": oid})
                assert time.monotonic() < deadline, f"order {oid} has not ended: {view}"
                time.sleep(0.1)

    def check_stock_conserved(self) -> None:
        """Check on hand + consumed = start + restocked per ingredient, and that no order still
        holds stock but a terminated one; consumed is what the kitchen said it cooked."""

        def used() -> Counter[str]:
            total: Counter[str] = Counter()
            for order in self.tracked.values():
                cooked = [
                    h for h in self.record(order.order_id).get("history", []) if h["status"] == "cooked"
                ]
                for name, units in ingredients_for(order.pizza_type, order.quantity).items():
                    total[name] += units * len(cooked)
            return total

        def books() -> dict[str, tuple[int, int]]:
            consumed, now = used(), self.inventory()
            return {
                name: (level["on_hand"] + consumed[name], self.start[name]["on_hand"] + self.restocked[name])
                for name, level in now.items()
            }

        # (on hand + consumed, at start + restocked) per ingredient; a late "cooked" may still be on its way.
        kept = settle(books, lambda b: all(have == had for have, had in b.values()), 15)
        assert all(have == had for have, had in kept.values()), (
            f"(on hand + consumed, in) per ingredient: {kept}"
        )
        held_by_terminated = Counter[str]()
        for order in self.tracked.values():
            if order.terminated:  # left as it was: at most every attempt's reservation
                for name, units in ingredients_for(order.pizza_type, order.quantity).items():
                    held_by_terminated[name] += units * 3
        for name, level in self.inventory().items():
            extra = level["reserved"] - self.start[name]["reserved"]
            assert 0 <= extra <= held_by_terminated[name], (
                f"{name} reserved {level}, at start {self.start[name]}"
            )

    def top_up(self) -> None:
        """Bring every ingredient back to STOCK available, so that the next run does not start empty."""
        short = {
            n: STOCK - level["available"]
            for n, level in self.inventory().items()
            if level["available"] < STOCK
        }
        if short:
            assert self.suite.post(KITCHEN, "/inventory/restock", {"items": short}).status_code == 200


@pytest.fixture(scope="module")
def model_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """Start the suite as `make run` does, with no stage durations and short deadlines for people."""
    log = tmp_path_factory.mktemp("model") / "run.log"
    data = tmp_path_factory.mktemp("model-data")
    with running(log, data, SETTINGS, READY_S) as started:
        yield Suite(log, started.tokens, data)


def test_the_suite_keeps_its_word(model_suite: Suite) -> None:
    ShopModel.suite = model_suite
    began = time.monotonic()
    try:
        run_state_machine_as_test(
            ShopModel,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
    finally:
        report(began)


def report(began: float) -> None:
    """Print what the model did (and when it first found a violation), for docs/testing.md."""
    seen = ", ".join(f"{n} {what}" for what, n in sorted(ShopModel.seen.items()))
    print(f"\nmodel: {seen} in {time.monotonic() - began:.0f} s")  # noqa: T201 - the report
