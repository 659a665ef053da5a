"""Merge status updates into a stored order: ordered, de-duplicated, never losing the order."""

from pizza_common.contract.models import StatusUpdate, utcnow
from pizza_common.contract.statuses import ENDED
from pizza_order.records import HistoryEntry, OrderRecord


def new_record(update: StatusUpdate) -> OrderRecord:
    """Return the record of an order first seen through a status update."""
    fields = update.model_dump(exclude={"timestamp", "event_id", "message", "trace_id"})
    return OrderRecord(**fields, history=[_entry(update)])


def merge(record: OrderRecord | None, update: StatusUpdate) -> OrderRecord | None:
    """Return the record with the update merged in, or None when it was seen already."""
    if record is None:
        return new_record(update)
    if any(h.event_id == update.event_id for h in record.history):
        return None  # redelivered or republished by a retried step
    entry = _entry(update)
    if record.status in ENDED:
        # The first outcome stands: a step still in flight that reports afterwards is only recorded.
        ended_at = next(h.timestamp for h in record.history if h.status == record.status)
        entry = entry.model_copy(update={"late": update.timestamp > ended_at})
        return record.model_copy(
            update={"history": _in_time_order([*record.history, entry]), "updated_at": utcnow()}
        )
    # Events from different services can arrive out of order: keep the history in time order.
    history = _in_time_order([*record.history, entry])
    latest = entry if entry.status in ENDED else history[-1]
    return record.model_copy(
        update={"history": history, "status": latest.status, "error": latest.error, "updated_at": utcnow()}
    )


def _in_time_order(history: list[HistoryEntry]) -> list[HistoryEntry]:
    return sorted(history, key=lambda h: h.timestamp)


def _entry(update: StatusUpdate) -> HistoryEntry:
    return HistoryEntry(
        status=update.status,
        timestamp=update.timestamp,
        event_id=update.event_id,
        error=update.error,
        message=update.message,
        trace_id=update.trace_id,
    )
