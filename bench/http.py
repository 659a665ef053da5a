"""The pooled HTTP client of the bench, and polling with a short backoff."""

import asyncio
import secrets
from collections.abc import Callable
from typing import Any, Final

import httpx

from pizza_common.service.settings import Settings

FIRST_WAIT_S: Final = 0.01
MAX_WAIT_S: Final = 0.1
# As long as the workflow's activities wait for a service call.
INVOKE_TIMEOUT_S: Final = float(Settings.model_fields["invoke_timeout_s"].default)


def client(
    concurrency: int, auth: httpx.Auth | None = None, timeout_s: float = INVOKE_TIMEOUT_S
) -> httpx.AsyncClient:
    """Return an async client whose pool holds a connection or two per concurrent order."""
    size = 2 * concurrency + 8
    return httpx.AsyncClient(
        auth=auth,
        timeout=timeout_s,
        # Drop idle connections before gunicorn does (its keep-alive is 2 s), so none is reused as it closes.
        limits=httpx.Limits(max_connections=size, max_keepalive_connections=size, keepalive_expiry=1.0),
    )


def untraced() -> dict[str, str]:
    """Return a W3C traceparent marked unsampled: with tracing off, the sidecars then record nothing
    of the bench's own calls either, as they follow the caller's decision."""
    return {"traceparent": f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-00"}


class Backoff:
    """Waits that grow from FIRST_WAIT_S to MAX_WAIT_S by half each time."""

    def __init__(self, first: float = FIRST_WAIT_S, cap: float = MAX_WAIT_S) -> None:
        self._next = first
        self._cap = cap

    async def wait(self) -> None:
        """Sleep the current wait, then lengthen the next one."""
        await asyncio.sleep(self._next)
        self._next = min(self._next * 1.5, self._cap)


def poll_cap_s(concurrency: int) -> float:
    """Return the longest wait between polls of one order: longer when more orders poll at once.

    This keeps the bench's own polling load about the same at every level, so that it does not
    load the workflow engine it measures, while a lone order is still timed closely.
    """
    return min(1.0, 0.05 + 0.01 * concurrency)


def safety_poll_s(concurrency: int) -> float:
    """Return how often an order waiting on the event stream is also asked for directly.

    It is the safety net for an event the stream missed: once a second for a lone order, and as
    rarely per order as it takes to keep the polls of all orders in flight at about eight a second.
    """
    return max(1.0, concurrency / 8)


async def fetch_json(
    http: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None
) -> dict[str, Any] | None:
    """GET url once: its JSON object, or None when absent (404) or the connection broke."""
    try:
        resp = await http.get(url, headers=headers)
    except httpx.TransportError:  # a GET is safe to repeat: the next poll asks again
        return None
    if resp.status_code == 404:
        return None
    resp.raise_for_status()
    body = resp.json()
    return body if isinstance(body, dict) else None


async def poll_json(
    http: httpx.AsyncClient,
    url: str,
    done: Callable[[dict[str, Any]], bool],
    cap_s: float = MAX_WAIT_S,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """GET url until its JSON answer satisfies done; the caller bounds the time."""
    backoff = Backoff(cap=cap_s)
    while (body := await fetch_json(http, url, headers)) is None or not done(body):
        await backoff.wait()
    return body
