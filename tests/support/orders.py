"""Sample orders for tests."""

import uuid
from typing import Any


def sample_order(order_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """Return a valid order as JSON, with a fresh id unless one is given."""
    order = {
        "order_id": order_id or f"t-{uuid.uuid4().hex[:12]}",
        "pizza_type": "pepperoni",
        "size": "large",
        "customer": {"name": "Ada Lovelace", "address": "12 Analytical Way", "phone": "+44 20 7946 0000"},
    }
    return order | overrides
