"""The one place that talks to the Dapr sidecar's HTTP API: state, publish, invoke."""

import logging
from typing import Any

import httpx
from flask import Flask, current_app

from pizza_common.names import PUBSUB, STATE_STORE
from pizza_common.settings import DaprSettings

log = logging.getLogger(__name__)


class DaprUnavailable(RuntimeError):
    """The sidecar or a service behind it failed: an infrastructure fault worth a retry."""


class ETagMismatch(RuntimeError):
    """A state write lost an optimistic-concurrency race."""


class Invocation:
    """A service's answer to an invocation: its HTTP status and JSON body."""

    def __init__(self, status_code: int, body: Any) -> None:
        self.status_code = status_code
        self.body = body

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


class DaprGateway:
    """Pooled, time-bounded access to the sidecar, checking every response."""

    def __init__(self, settings: DaprSettings | None = None, timeout: float = 120.0) -> None:
        settings = settings or DaprSettings()
        headers = {"dapr-api-token": settings.api_token} if settings.api_token else {}
        self._http = httpx.Client(
            base_url=settings.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=5.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            return self._http.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise DaprUnavailable(f"{method} {url}: {exc.__class__.__name__}: {exc}") from exc

    @staticmethod
    def _check(resp: httpx.Response, what: str) -> None:
        if resp.is_success:
            return
        if resp.status_code == 409 or b"ERR_STATE_ETAG" in resp.content:
            raise ETagMismatch(what)
        raise DaprUnavailable(f"{what}: HTTP {resp.status_code}: {resp.text[:300]}")

    def get_state(self, key: str) -> tuple[Any | None, str | None]:
        """Return (value, etag) of a key, or (None, None) when absent."""
        resp = self._send("GET", f"/state/{STATE_STORE}/{key}")
        self._check(resp, f"get state {key}")
        if resp.status_code == 204 or not resp.content:
            return None, None
        return resp.json(), resp.headers.get("etag")

    def save_state(self, key: str, value: Any, etag: str | None = None, *, create: bool = False) -> None:
        """Write a key; with an etag (or create=True) only if nobody wrote it since."""
        item: dict[str, Any] = {"key": key, "value": value}
        guarded = etag is not None or create
        if guarded:
            # An empty etag with first-write means "only if the key does not exist yet".
            item["etag"] = etag or ""
            item["options"] = {"concurrency": "first-write"}
        resp = self._send("POST", f"/state/{STATE_STORE}", json=[item])
        if guarded and resp.status_code == 500 and b"ERR_STATE_SAVE" in resp.content:
            # Redis answers a lost create race with "failed to set key", not an etag error.
            # A real outage shows again on the caller's next read, which raises DaprUnavailable.
            raise ETagMismatch(f"save state {key}: {resp.text[:200]}")
        self._check(resp, f"save state {key}")

    def delete_state(self, key: str, etag: str | None = None) -> None:
        """Delete a key, only at the given etag when one is passed."""
        headers = {"If-Match": etag} if etag else {}
        resp = self._send("DELETE", f"/state/{STATE_STORE}/{key}", headers=headers)
        self._check(resp, f"delete state {key}")

    def publish(self, topic: str, data: Any) -> None:
        """Publish JSON data, which the sidecar wraps in an application/json CloudEvent."""
        resp = self._send("POST", f"/publish/{PUBSUB}/{topic}", json=data)
        self._check(resp, f"publish to {topic}")

    def invoke(self, app_id: str, method: str, data: Any) -> Invocation:
        """POST JSON to another app through its sidecar; 5xx and transport faults raise."""
        return self._invoke("POST", app_id, method, json=data)

    def invoke_get(self, app_id: str, method: str) -> Invocation:
        """GET a method of another app through its sidecar; 5xx and transport faults raise."""
        return self._invoke("GET", app_id, method)

    def _invoke(self, verb: str, app_id: str, method: str, **kwargs: Any) -> Invocation:
        resp = self._send(verb, f"/invoke/{app_id}/method/{method.lstrip('/')}", **kwargs)
        if resp.status_code >= 500:
            raise DaprUnavailable(f"invoke {app_id}/{method}: HTTP {resp.status_code}: {resp.text[:300]}")
        try:
            body = resp.json()
        except ValueError:
            body = {"error": resp.text[:300]}
        return Invocation(resp.status_code, body)

    def close(self) -> None:
        self._http.close()


def init_app(app: Flask) -> None:
    """Attach the app's gateway; tests pass their own under the DAPR config key."""
    app.extensions["dapr"] = app.config.get("DAPR") or DaprGateway(
        timeout=app.config["SETTINGS"].invoke_timeout_s
    )


def gateway() -> DaprGateway:
    """Return the current app's gateway."""
    return current_app.extensions["dapr"]  # type: ignore[no-any-return]
