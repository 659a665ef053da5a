"""What pizza-order's live stream says of each order, so that the bench waits on it, not by polling.

Polling get-status for every order loads the workflow engine the bench measures, and a poll's
backoff adds its own delay to the quality check the bench answers. One stream of every order's
status events (GET /api/events) does neither; a slow poll remains as a safety net.
"""

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from typing import Final

import httpx

from pizza_common.contract.names import ORDER_APP
from pizza_common.contract.statuses import ENDED, OrderStatus
from pizza_run.http import app_url

log = logging.getLogger(__name__)
STREAM_URL: Final = f"{app_url(ORDER_APP)}/api/events"
# The bench acts on these only: the others would cost pizza-order and the bench a write and a read each.
FOLLOWED: Final = sorted({OrderStatus.PENDING_VALIDATION, *ENDED})
RECONNECT_S: Final = 0.2


class OrderEvents:
    """The statuses each order has reached, as the stream tells them, and waits on them."""

    def __init__(self) -> None:
        self._seen: defaultdict[str, set[str]] = defaultdict(set)
        self._news: dict[str, asyncio.Event] = {}
        self.connected = asyncio.Event()

    def note(self, order_id: str, status: str) -> None:
        """Record that an order reached a status, and wake whoever waits on that order."""
        self._seen[order_id].add(status)
        news = self._news.pop(order_id, None)
        if news is not None:
            news.set()

    def reached(self, order_id: str, statuses: frozenset[str]) -> bool:
        """Return whether the order reached any of the statuses."""
        return not self._seen[order_id].isdisjoint(statuses)

    async def wait(self, order_id: str, statuses: frozenset[str], timeout_s: float) -> bool:
        """Return True once the order reached one of the statuses, False if timeout_s passed first."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while not self.reached(order_id, statuses):
            news = self._news.setdefault(order_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(deadline):
                    await news.wait()
            if loop.time() >= deadline:
                return self.reached(order_id, statuses)
        return True

    async def follow(self, http: httpx.AsyncClient) -> None:
        """Read the stream until cancelled, connecting again whenever it ends."""
        while True:
            try:
                params = {"status": FOLLOWED}
                timeout = httpx.Timeout(60.0, connect=5.0)
                async with http.stream("GET", STREAM_URL, params=params, timeout=timeout) as resp:
                    resp.raise_for_status()
                    self.connected.set()
                    async for line in resp.aiter_lines():
                        if line.startswith("data:"):
                            event = json.loads(line[len("data:") :])
                            self.note(str(event["order_id"]), str(event["status"]))
            except (httpx.HTTPError, ValueError, KeyError) as exc:  # the slow poll covers the gap
                log.debug("event stream broke (%s): connecting again", exc)
            await asyncio.sleep(RECONNECT_S)
