"""The two checks an order can wait on a person for, described once: the kitchen's quality
check of each pizza, and a manager's approval of a large order.

Both work the same way. The workflow opens the check (a record in the state store, and a status
for the customer), then waits for its event, raced against a timer. A person's answer goes
through pizza-workflow's route, which records the first decision at the record's ETag and raises
the event. A check that times out is closed by the workflow, unless a decision landed first.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import Field

from pizza_common.contract.models import Contract, Order, OrderRef, utcnow
from pizza_common.contract.statuses import OrderStatus, Stage
from pizza_workflow.ids import MANAGER_APPROVAL_EVENT, VALIDATION_EVENT


class CheckKind(StrEnum):
    QUALITY = "quality_check"
    MANAGER = "manager_approval"


@dataclass(frozen=True)
class Check:
    kind: CheckKind
    what: str  # in the words of an error message
    event: str
    waiting: OrderStatus  # the record's status, and the customer's, while it is open
    stage: Stage  # the workflow's stage while it is open
    key_prefix: str
    answer_field: str  # the field of the route's answer that carries the decision

    def key(self, order_id: str) -> str:
        """Return the state key of the order's record of this check."""
        return f"{self.key_prefix}_{order_id}"


QUALITY = Check(
    CheckKind.QUALITY,
    "quality check",
    VALIDATION_EVENT,
    OrderStatus.PENDING_VALIDATION,
    Stage.PENDING_VALIDATION,
    "validation",
    "validation_status",
)
MANAGER = Check(
    CheckKind.MANAGER,
    "manager approval",
    MANAGER_APPROVAL_EVENT,
    OrderStatus.AWAITING_MANAGER_APPROVAL,
    Stage.AWAITING_MANAGER_APPROVAL,
    "approval",
    "approval_status",
)
CHECKS = {check.kind: check for check in (QUALITY, MANAGER)}
# How a decision reads in a check's record and in the route's answer.
DECIDED = {True: OrderStatus.APPROVED, False: OrderStatus.REJECTED}


class Opened(Contract):
    """A check the workflow opens: the quality check of one attempt, or a manager's approval."""

    check: CheckKind
    order: Order
    attempt: int = Field(default=0, ge=0)
    total_cents: int | None = None


class Decision(Contract):
    """How a check ended: approved, refused, or nobody answered in time."""

    check: CheckKind
    order_id: str
    attempt: int = 0
    approved: bool
    timed_out: bool = False


class Record(OrderRef):
    """The state of an order's check (`validation_<id>`, `approval_<id>`): open, then decided."""

    status: OrderStatus
    attempt: int = 0
    timed_out: bool = False  # closed by the workflow at the deadline, not by a person
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def approved(self) -> bool:
        """Return whether the check was decided in the order's favour."""
        return self.status == OrderStatus.APPROVED
