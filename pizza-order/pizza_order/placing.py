"""Placing an order once per Idempotency-Key: a retried POST gets the first order back, never a second.

The first request with a key records, under a hash of the key, the order id the shop picked and a
fingerprint of the order; a retry finds that record and starts the same order id again, which the
workflow refuses as a duplicate (no second workflow, no second charge). The key is the client's
secret: only its holder gets the order's id and token back, so the key is never stored as it is.
"""

import hashlib
import json
import re
from typing import Any, Final

from pizza_common.contract.models import Contract
from pizza_common.service.settings import retention_s
from pizza_common.sidecar.dapr_io import DaprGateway, ETagMismatch

HEADER: Final = "Idempotency-Key"
KEY_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{16,128}")
KEY_RULE: Final = "16 to 128 letters, digits, '-' or '_': a new random value per order, the same on a retry"


class Placement(Contract):
    """What the shop recorded for a key: the order id it picked, and what the order was."""

    order_id: str
    fingerprint: str


class KeyReused(Exception):
    """The key was sent before with a different order."""


def placement_key(key: str) -> str:
    """Return the state key of an Idempotency-Key's record: a hash, so that Redis never holds the key."""
    return "placing_" + hashlib.sha256(key.encode()).hexdigest()[:40]


def fingerprint(order: dict[str, Any]) -> str:
    """Return a digest of an order as the client sent it (key order and spacing aside)."""
    return hashlib.sha256(json.dumps(order, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def claim(dapr: DaprGateway, key: str, order: dict[str, Any], order_id: str) -> tuple[Placement, bool]:
    """Record `order_id` for the key, or return the placement recorded first; True if this request made it.

    Raises KeyReused when the key came with another order."""
    mine = Placement(order_id=order_id, fingerprint=fingerprint(order))
    try:
        dapr.save_state(placement_key(key), mine.model_dump(), create=True, ttl_s=retention_s())
        return mine, True
    except ETagMismatch:
        value, _ = dapr.get_state(placement_key(key))
    if value is None:  # recorded and gone since (its lifetime ended): a retry this late is a new order
        return claim(dapr, key, order, order_id)
    first = Placement.model_validate(value)
    if first.fingerprint != mine.fingerprint:
        raise KeyReused(key)
    return first, False


def release(dapr: DaprGateway, key: str) -> None:
    """Forget a key whose order was refused: the client may correct the order and send it again."""
    dapr.delete_state(placement_key(key))
