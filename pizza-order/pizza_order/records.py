"""An order as pizza-order keeps it: the order, its status, and its history in time order."""

from datetime import datetime

from pydantic import Field

from pizza_common.contract.models import Contract, Order, utcnow
from pizza_common.contract.statuses import OrderStatus


class HistoryEntry(Contract):
    status: OrderStatus
    timestamp: datetime
    event_id: str
    error: str | None = None
    message: str | None = None
    late: bool = False
    """Reported after the order had ended, by a step still in flight: recorded, but it changes nothing."""
    trace_id: str | None = None


class OrderRecord(Order):
    """An order as pizza-order stores it, with its status history in time order."""

    history: list[HistoryEntry] = []
    updated_at: datetime = Field(default_factory=utcnow)
