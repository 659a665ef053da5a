"""Stand-in activities for workflow tests: a tiny in-memory shop under the real activity names."""

from typing import Any

from pizza_common.contract.inventory import Reservation
from pizza_common.contract.menu import ingredients_for, price_cents
from pizza_common.contract.models import Order, OrderRef
from pizza_common.contract.payments import DECLINED_TOKEN, PaymentResult
from pizza_workflow.checks import CheckKind, Decision, Opened
from pizza_workflow.types import ChargeInput, CookInput, DeliverInput, Notes, ReserveInput, StepResult


class Shop:
    """Counts every effect, so tests can check what was charged, held, refunded and released."""

    def __init__(self, stock: int = 100) -> None:
        self.stock = stock
        self.reserved: dict[int, dict[str, int]] = {}
        self.charged = 0
        self.refunded = 0
        self.released: list[dict[str, int]] = []
        self.notes: list[tuple[str, str | None, int]] = []
        self.opened: list[tuple[CheckKind, int]] = []
        self.closed: list[Decision] = []
        # Answers recorded by the route just as a check's deadline passed, by check and attempt.
        self.landed: dict[tuple[CheckKind, int], bool] = {}
        self.overrides: dict[str, Any] = {}

    def take_order(self, _ctx: Any, order: Order) -> StepResult:
        total = price_cents(order.pizza_type, order.size, order.quantity)
        return StepResult(ok=True, status="confirmed", total_cents=total)

    def reserve_ingredients(self, _ctx: Any, req: ReserveInput) -> Reservation:
        self._hear(req)
        items = ingredients_for(req.pizza_type, req.quantity)
        if self.stock < req.quantity:
            return Reservation(
                order_id=req.order_id,
                attempt=req.attempt,
                status="out_of_stock",
                error="not enough dough",
                missing={"dough": req.quantity - self.stock},
            )
        self.stock -= req.quantity
        self.reserved[req.attempt] = items
        return Reservation(order_id=req.order_id, attempt=req.attempt, status="reserved", items=items)

    def charge_payment(self, _ctx: Any, charge: ChargeInput) -> PaymentResult:
        if charge.payment_token == DECLINED_TOKEN:
            return PaymentResult(order_id=charge.order_id, status="payment_declined", error="card declined")
        self.charged += charge.amount_cents
        return PaymentResult(order_id=charge.order_id, status="charged", amount_cents=charge.amount_cents)

    def cook_pizza(self, _ctx: Any, req: CookInput) -> StepResult:
        self._hear(req)
        self.reserved.pop(req.attempt, None)  # consumed
        if req.opens_check:  # as the real one does for an order of release 1.0.0
            self.opened.append((CheckKind.QUALITY, req.attempt))
        return StepResult(ok=True, status="cooked")

    def deliver_pizza(self, _ctx: Any, order: DeliverInput) -> StepResult:
        self._hear(order)
        return StepResult(ok=True, status="delivered")

    def refund_payment(self, _ctx: Any, ref: OrderRef) -> PaymentResult:
        amount, self.charged = self.charged, 0
        self.refunded += amount
        status = "refunded" if amount else "nothing_to_refund"
        return PaymentResult(order_id=ref.order_id, status=status, amount_cents=amount)

    def release_ingredients(self, _ctx: Any, ref: OrderRef) -> Reservation:
        items: dict[str, int] = {}
        for held in self.reserved.values():
            for name, units in held.items():
                items[name] = items.get(name, 0) + units
        self.reserved.clear()
        self.released.append(items)
        return Reservation(order_id=ref.order_id, status="released", items=items)

    def open_check(self, _ctx: Any, opened: Opened) -> None:
        self.opened.append((opened.check, opened.attempt))

    def close_check(self, _ctx: Any, decision: Decision) -> Decision:
        self.closed.append(decision)
        landed = self.landed.get((decision.check, decision.attempt))
        if landed is None:
            return decision
        return decision.model_copy(update={"approved": landed, "timed_out": False})

    def notify(self, _ctx: Any, notes: Notes) -> None:
        self._hear(notes)

    def _hear(self, step: Any) -> None:
        """Record the statuses a step carried for the workflow, as the real activity publishes them."""
        for note in step.notes if isinstance(step, Notes) else []:
            self.notes.append((note.status, note.error, note.attempt))

    def statuses(self) -> list[str]:
        return [status for status, _, _ in self.notes]

    def activities(self) -> dict[str, Any]:
        """Return the stand-ins by activity name, with any test overrides."""
        names = [
            "take_order",
            "reserve_ingredients",
            "charge_payment",
            "cook_pizza",
            "deliver_pizza",
            "refund_payment",
            "release_ingredients",
            "open_check",
            "close_check",
            "notify",
        ]
        return {name: getattr(self, name) for name in names} | self.overrides
