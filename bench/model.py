"""What one order of a run did, as the paths record it."""

import time
from dataclasses import dataclass, field
from typing import Any, Final

from pizza_common.contract.models import Customer, Order

PATHS: Final = ("workflow", "baseline", "floor")
CUSTOMER: Final = Customer(name="Grace Hopper", address="1 Compiler Lane", phone="+1 202 555 0100")


def order_json(order_id: str) -> dict[str, Any]:
    """Return the order the bench sends under order_id, as JSON: one large pepperoni."""
    order = Order(order_id=order_id, pizza_type="pepperoni", size="large", customer=CUSTOMER)
    return order.model_dump(mode="json", exclude_defaults=True)


@dataclass
class OrderRun:
    """One order's progress: where it is, how long it took, and how it ended."""

    order_id: str
    phase: str = "queued"
    started: float | None = None
    finished: float | None = None
    ok: bool = False
    lost: bool = False
    error: str | None = None
    retries: int = 0
    calls_s: dict[str, float] = field(default_factory=dict)
    view: dict[str, Any] | None = None

    def start(self) -> None:
        """Mark the order as sent."""
        self.started = time.perf_counter()

    def succeed(self) -> None:
        """Mark the order as done as it should be."""
        self.finished = time.perf_counter()
        self.ok = True
        self.phase = "done"

    def fail(self, error: str) -> None:
        """Mark the order as ended wrongly, saying why."""
        self.finished = time.perf_counter()
        self.error = f"{error} (while {self.phase})"

    @property
    def latency_s(self) -> float | None:
        """Return the seconds from sending the order to its end, once it ended well."""
        if not self.ok or self.started is None or self.finished is None:
            return None
        return self.finished - self.started
