"""The pooled HTTP client of the bench, and polling with a short backoff."""

import asyncio
from collections.abc import Callable, Generator, Mapping
from typing import Any, Final

import httpx

from pizza_common.names import PORTS, WORKFLOW_APP
from pizza_common.settings import Settings

LOCALHOST: Final = "127.0.0.1"
TOKEN_HEADER: Final = "dapr-api-token"  # the header both tokens travel in, as Dapr sends them
FIRST_WAIT_S: Final = 0.01
MAX_WAIT_S: Final = 0.1
# As long as the workflow's activities wait for a service call.
INVOKE_TIMEOUT_S: Final = float(Settings.model_fields["invoke_timeout_s"].default)


def app_url(app_id: str) -> str:
    """Return the base URL of an app's own port."""
    return f"http://{LOCALHOST}:{PORTS[app_id][0]}"


def sidecar_url(app_id: str) -> str:
    """Return the base URL of an app's sidecar HTTP API."""
    return f"http://{LOCALHOST}:{PORTS[app_id][1]}/v1.0"


def invoke_url(target: str, method: str, via: str = WORKFLOW_APP) -> str:
    """Return the URL that invokes target's method through the sidecar of `via`."""
    return f"{sidecar_url(via)}/invoke/{target}/method/{method}"


class TokenAuth(httpx.Auth):
    """Send the suite's tokens where they are required: DAPR_API_TOKEN to sidecars, APP_API_TOKEN to apps."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        self._by_port: dict[int, str] = {}
        for app_port, dapr_port in PORTS.values():
            if tokens.get("APP_API_TOKEN"):
                self._by_port[app_port] = tokens["APP_API_TOKEN"]
            if tokens.get("DAPR_API_TOKEN"):
                self._by_port[dapr_port] = tokens["DAPR_API_TOKEN"]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the token of the port the request goes to, if it has one."""
        token = self._by_port.get(request.url.port or 0)
        if token and TOKEN_HEADER not in request.headers:
            request.headers[TOKEN_HEADER] = token
        yield request


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

    This keeps the bench's own polling under about 100 requests/s at any level, so that it does
    not load the workflow engine it measures, while a lone order is still timed to ~60 ms.
    """
    return min(1.0, 0.05 + 0.01 * concurrency)


async def fetch_json(http: httpx.AsyncClient, url: str) -> dict[str, Any] | None:
    """GET url once: its JSON object, or None when absent (404) or the connection broke."""
    try:
        resp = await http.get(url)
    except httpx.TransportError:  # a GET is safe to repeat: the next poll asks again
        return None
    if resp.status_code == 404:
        return None
    resp.raise_for_status()
    body = resp.json()
    return body if isinstance(body, dict) else None


async def poll_json(
    http: httpx.AsyncClient, url: str, done: Callable[[dict[str, Any]], bool], cap_s: float = MAX_WAIT_S
) -> dict[str, Any]:
    """GET url until its JSON answer satisfies done; the caller bounds the time."""
    backoff = Backoff(cap=cap_s)
    while (body := await fetch_json(http, url)) is None or not done(body):
        await backoff.wait()
    return body
