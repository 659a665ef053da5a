"""Fan merged status events out to server-sent-event streams, per order and for all orders."""

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)
QUEUE_SIZE = 256  # events a slow client may lag behind before its stream is closed
RETRY_MS = 2000  # how soon a browser reconnects a closed stream
PER_CLIENT = 4  # a page holds one or two: more from one address is a leak or an attack
# On this machine every page, the `pizza` command and the tests come from loopback: no share there.
LOOPBACK = frozenset({"127.0.0.1", "::1"})


class TooManyStreams(RuntimeError):
    """Every stream slot is taken: each one holds a server thread."""


class TooManyFromClient(TooManyStreams):
    """One client holds its share of the stream slots already."""


class Subscription:
    """One open stream: the events of some orders (every order when orders is None), at some
    statuses (every status when statuses is None)."""

    def __init__(
        self, orders: frozenset[str] | None, client: str = "", statuses: frozenset[str] | None = None
    ) -> None:
        self.orders = orders
        self.client = client
        self.statuses = statuses
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=QUEUE_SIZE)

    def wants(self, event: dict[str, Any]) -> bool:
        return (self.orders is None or event.get("order_id") in self.orders) and (
            self.statuses is None or event.get("status") in self.statuses
        )


class Broker:
    """Thread-safe registry of open streams, bounded in number and in backlog."""

    def __init__(self, max_streams: int, per_client: int = PER_CLIENT) -> None:
        self.max_streams = max_streams
        self.per_client = per_client
        self._subs: set[Subscription] = set()
        self._lock = threading.Lock()

    def subscribe(
        self, orders: frozenset[str] | None, client: str = "", statuses: frozenset[str] | None = None
    ) -> Subscription:
        """Open a stream, or raise TooManyStreams when every slot (or the client's share) is taken."""
        sub = Subscription(orders, client, statuses)
        with self._lock:
            if len(self._subs) >= self.max_streams:
                raise TooManyStreams(f"{self.max_streams} event streams are open")
            shared = client and client not in LOOPBACK
            if shared and sum(s.client == client for s in self._subs) >= self.per_client:
                raise TooManyFromClient(f"{self.per_client} live streams from this client are open")
            self._subs.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            self._subs.discard(sub)

    def publish(self, event: dict[str, Any]) -> int:
        """Queue an event for every stream that wants it; return how many got it."""
        with self._lock:
            subs = [s for s in self._subs if s.wants(event)]
        for sub in subs:
            try:
                sub.events.put_nowait(event)
            except queue.Full:
                # A client this far behind has stalled: end its stream (None), it reconnects.
                log.warning("event stream of %s lags %d events: closing it", sub.orders or "all", QUEUE_SIZE)
                self._close(sub)
        return len(subs)

    def _close(self, sub: Subscription) -> None:
        self.unsubscribe(sub)
        with sub.events.mutex:
            sub.events.queue.clear()
        sub.events.put_nowait(None)

    @property
    def open_streams(self) -> int:
        with self._lock:
            return len(self._subs)


def sse(event: dict[str, Any], kind: str = "status") -> str:
    """Return one event in the text/event-stream format, its id the event's idempotency key."""
    lines = [f"id: {event['event_id']}"] if event.get("event_id") else []
    return "\n".join([*lines, f"event: {kind}", f"data: {json.dumps(event)}", "", ""])


def stream(
    broker: Broker,
    sub: Subscription,
    backlog: Iterable[dict[str, Any]],
    heartbeat_s: float,
    max_s: float,
    now: Callable[[], float] = time.monotonic,
) -> Iterator[str]:
    """Yield the backlog, then live events and heartbeats, until max_s passed or the client left."""
    deadline = now() + max_s
    seen: set[str] = set()
    try:
        yield f"retry: {RETRY_MS}\n\n"
        for event in filter(sub.wants, backlog):
            seen.add(str(event.get("event_id")))
            yield sse(event)
        while (left := deadline - now()) > 0:
            try:
                live = sub.events.get(timeout=min(heartbeat_s, left))
            except queue.Empty:
                yield ": keep-alive\n\n"  # a comment: detects gone clients, keeps proxies open
                continue
            if live is None:
                return
            if str(live.get("event_id")) not in seen:  # already sent as backlog
                yield sse(live)
    finally:
        broker.unsubscribe(sub)


def init_app(app: Flask) -> Broker:
    """Attach the app's broker, allowing half the server's threads to hold streams."""
    broker = Broker(max(2, app.config["SETTINGS"].threads // 2))
    app.extensions["sse_broker"] = broker
    return broker


def broker() -> Broker:
    """Return the current app's broker."""
    return current_app.extensions["sse_broker"]  # type: ignore[no-any-return]
