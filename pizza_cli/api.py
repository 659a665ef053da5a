"""pizza-order's shop API as the terminal client uses it: JSON calls and a live event stream."""

import json
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

import httpx

from pizza_cli import sse
from pizza_common.contract.names import STAFF_HEADER

log = logging.getLogger(__name__)
READ_TIMEOUT_S = 60.0  # the server sends a heartbeat every 15 s: silence this long means a dead stream
RECONNECT_PAUSE_S = 1.0
PLACE_ATTEMPTS = 3  # an order sent again after a lost answer is the same order: its key says so


class SuiteDown(Exception):
    """Nothing answers at the shop's address."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class ApiError(Exception):
    """The shop refused a request; its JSON error says why."""

    def __init__(self, status: int, body: Any) -> None:
        body = body if isinstance(body, dict) else {"error": str(body)}
        super().__init__(body.get("error") or f"HTTP {status}")
        self.status = status
        self.problems: list[dict[str, str]] = body.get("problems") or []


class Shop:
    """A client of pizza-order's /api at one base URL."""

    def __init__(self, base_url: str, timeout: float = 30.0, staff_token: str | None = None) -> None:
        self.url = base_url.rstrip("/")
        # The terminal is the shop's own: it acts as staff when it can read the staff's token.
        headers = {STAFF_HEADER: staff_token} if staff_token else {}
        self.http = httpx.Client(
            base_url=self.url, timeout=httpx.Timeout(timeout, connect=5.0), headers=headers
        )

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        """Send a request and return its JSON answer; raise SuiteDown or ApiError."""
        query = {k: v for k, v in (params or {}).items() if v is not None}
        try:
            resp = self.http.request(method, path, json=body, params=query, headers=headers)
        except httpx.ConnectError as exc:
            raise SuiteDown(self.url) from exc
        except httpx.HTTPError as exc:
            raise ApiError(0, {"error": f"{method} {path}: {exc.__class__.__name__}: {exc}"}) from exc
        try:
            data = resp.json()
        except ValueError:
            data = {"error": f"HTTP {resp.status_code}: {resp.text[:200]}"}
        if not resp.is_success:
            raise ApiError(resp.status_code, data)
        return data

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.call("GET", path, params=params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("POST", path, body)

    def place(self, order: dict[str, Any]) -> Any:
        """Place an order, sending it again if its answer is lost: one Idempotency-Key, so one order."""
        key = {"Idempotency-Key": secrets.token_urlsafe(24)}
        for _ in range(PLACE_ATTEMPTS - 1):
            try:
                return self.call("POST", "/api/orders", order, headers=key)
            except ApiError as exc:
                if exc.status != 0:  # the shop answered: a refusal is not sent again
                    raise
                log.debug("order sent, answer lost (%s): sending it again", exc)
        return self.call("POST", "/api/orders", order, headers=key)

    def events(self, order_id: str) -> Iterator[dict[str, Any]]:
        """Yield the order's status events, its history first, reconnecting when a stream ends."""
        seen: set[str] = set()
        timeout = httpx.Timeout(READ_TIMEOUT_S, connect=5.0)
        while True:
            try:
                with self.http.stream("GET", f"/api/orders/{order_id}/events", timeout=timeout) as resp:
                    if not resp.is_success:
                        resp.read()
                        raise ApiError(resp.status_code, resp.json())
                    for kind, data in sse.parse(resp.iter_lines()):
                        event = json.loads(data)
                        if kind == "status" and event.get("event_id") not in seen:
                            seen.add(event.get("event_id"))
                            yield event
            except httpx.ConnectError as exc:
                raise SuiteDown(self.url) from exc
            except (httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
                log.debug("event stream of %s dropped: %s", order_id, exc)
            # The server ends streams now and then (each holds a thread): open the next one.
            time.sleep(RECONNECT_PAUSE_S)
