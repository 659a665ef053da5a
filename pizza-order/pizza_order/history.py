"""Merge status updates into a stored order: ordered, de-duplicated, never losing the order."""

from pizza_common.models import HistoryEntry, OrderRecord, StatusUpdate, utcnow
from pizza_common.statuses import TERMINAL


def new_record(update: StatusUpdate) -> OrderRecord:
    """Return the record of an order first seen through a status update."""
    fields = update.model_dump(exclude={"timestamp", "event_id", "message"})
    return OrderRecord(**fields, history=[_entry(update)])


def merge(record: OrderRecord | None, update: StatusUpdate) -> OrderRecord | None:
    """Return the record with the update merged in, or None when it was seen already."""
    if record is None:
        return new_record(update)
    if any(h.event_id == update.event_id for h in record.history):
        return None  # redelivered or republished by a retried step
    # Events from different services can arrive out of order: keep the history in time order.
    history = sorted([*record.history, _entry(update)], key=lambda h: h.timestamp)
    # An order that ended stays ended: a step still in flight may report after a cancel.
    ended = [h for h in history if h.status in TERMINAL]
    latest = ended[-1] if ended else history[-1]
    return record.model_copy(
        update={"history": history, "status": latest.status, "error": latest.error, "updated_at": utcnow()}
    )


def _entry(update: StatusUpdate) -> HistoryEntry:
    return HistoryEntry(
        status=update.status,
        timestamp=update.timestamp,
        event_id=update.event_id,
        error=update.error,
        message=update.message,
    )
