"""The one place that talks to the Dapr sidecar's HTTP API: state, publish, invoke."""

import json
import logging
from typing import Any, Protocol

import urllib3
from flask import Flask, current_app
from urllib3.util import parse_url

from pizza_common.contract.names import PUBSUB, STATE_STORE
from pizza_common.service.settings import DaprSettings

log = logging.getLogger(__name__)


# The fields of an error answer that name the failure: Dapr's, then the services' (status, error).
ERROR_FIELDS = ("errorCode", "message", "status", "error")


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


class Pool(Protocol):
    """What the gateway needs of urllib3's connection pool (tests pass a stand-in)."""

    def urlopen(self, method: str, url: str, **kwargs: Any) -> urllib3.BaseHTTPResponse: ...

    def close(self) -> None: ...


class DaprGateway:
    """Pooled, time-bounded access to the sidecar, checking every response.

    urllib3 rather than httpx on this hot path: every status event costs two sidecar calls, and
    urllib3 spends less than half httpx's CPU on each (docs/dependencies.md has the figures).
    """

    def __init__(
        self, settings: DaprSettings | None = None, timeout: float = 120.0, pool: Pool | None = None
    ) -> None:
        settings = settings or DaprSettings()
        url = parse_url(settings.base_url)
        self._prefix = url.path or ""
        self._headers = {"dapr-api-token": settings.api_token} if settings.api_token else {}
        self._pool: Pool = pool or urllib3.HTTPConnectionPool(
            url.host or "127.0.0.1",
            url.port,
            maxsize=64,
            timeout=urllib3.Timeout(connect=5.0, read=timeout),
            retries=False,  # a retry is the caller's decision: business errors must not repeat
        )

    def _send(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> urllib3.BaseHTTPResponse:
        all_headers = {**self._headers, **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["content-type"] = "application/json"
        try:
            return self._pool.urlopen(method, self._prefix + path, body=data, headers=all_headers)
        except urllib3.exceptions.HTTPError as exc:
            raise DaprUnavailable(f"{method} {path}: {exc.__class__.__name__}: {exc}") from exc

    @staticmethod
    def _text(resp: urllib3.BaseHTTPResponse) -> str:
        """Return what an answer says went wrong: its error fields only, never the payload it carried."""
        try:
            body = json.loads(resp.data)
        except ValueError:
            return resp.data.decode(errors="replace")[:300]
        if not isinstance(body, dict):
            return "(no error named)"
        said = [str(body[f]) for f in ERROR_FIELDS if body.get(f)]
        return ": ".join(said)[:300] or "(no error named)"

    @classmethod
    def _check(cls, resp: urllib3.BaseHTTPResponse, what: str) -> None:
        if 200 <= resp.status < 300:
            return
        if resp.status == 409 or b"ERR_STATE_ETAG" in resp.data:
            raise ETagMismatch(what)
        raise DaprUnavailable(f"{what}: HTTP {resp.status}: {cls._text(resp)}")

    def get_state(self, key: str) -> tuple[Any | None, str | None]:
        """Return (value, etag) of a key, or (None, None) when absent."""
        resp = self._send("GET", f"/state/{STATE_STORE}/{key}")
        self._check(resp, f"get state {key}")
        if resp.status == 204 or not resp.data:
            return None, None
        return json.loads(resp.data), resp.headers.get("etag")

    def save_state(
        self, key: str, value: Any, etag: str | None = None, *, create: bool = False, ttl_s: int | None = None
    ) -> None:
        """Write a key; with an etag (or create=True) only if nobody wrote it since; gone after `ttl_s`."""
        item: dict[str, Any] = {"key": key, "value": value}
        if ttl_s is not None:
            item["metadata"] = {"ttlInSeconds": str(ttl_s)}
        guarded = etag is not None or create
        if guarded:
            # An empty etag with first-write means "only if the key does not exist yet".
            item["etag"] = etag or ""
            item["options"] = {"concurrency": "first-write"}
        resp = self._send("POST", f"/state/{STATE_STORE}", [item])
        if guarded and resp.status == 500 and b"ERR_STATE_SAVE" in resp.data:
            # Redis answers a lost race with "failed to set key", as it answers an outage: read the key
            # to tell them apart (the read raises DaprUnavailable while the store is down).
            _, current = self.get_state(key)
            if current == etag or (create and current is None):
                raise DaprUnavailable(f"save state {key}: {self._text(resp)}")
            raise ETagMismatch(f"save state {key}: {self._text(resp)}")
        self._check(resp, f"save state {key}")

    def delete_state(self, key: str, etag: str | None = None) -> None:
        """Delete a key, only at the given etag when one is passed."""
        headers = {"If-Match": etag} if etag else {}
        resp = self._send("DELETE", f"/state/{STATE_STORE}/{key}", headers=headers)
        self._check(resp, f"delete state {key}")

    def publish(self, topic: str, data: Any) -> None:
        """Publish JSON data, which the sidecar wraps in an application/json CloudEvent."""
        resp = self._send("POST", f"/publish/{PUBSUB}/{topic}", data)
        self._check(resp, f"publish to {topic}")

    def invoke(
        self, app_id: str, method: str, data: Any, headers: dict[str, str] | None = None
    ) -> Invocation:
        """POST JSON to another app through its sidecar; 5xx and transport faults raise."""
        return self._invoke("POST", app_id, method, data, headers)

    def invoke_get(self, app_id: str, method: str, headers: dict[str, str] | None = None) -> Invocation:
        """GET a method of another app through its sidecar; 5xx and transport faults raise."""
        return self._invoke("GET", app_id, method, None, headers)

    def _invoke(
        self, verb: str, app_id: str, method: str, data: Any = None, headers: dict[str, str] | None = None
    ) -> Invocation:
        resp = self._send(verb, f"/invoke/{app_id}/method/{method.lstrip('/')}", data, headers)
        if resp.status >= 500:
            raise DaprUnavailable(f"invoke {app_id}/{method}: HTTP {resp.status}: {self._text(resp)}")
        try:
            body = json.loads(resp.data)
        except ValueError:
            body = {"error": self._text(resp)}
        return Invocation(resp.status, body)

    def close(self) -> None:
        self._pool.close()


def init_app(app: Flask) -> None:
    """Attach the app's gateway; tests pass their own under the DAPR config key."""
    app.extensions["dapr"] = app.config.get("DAPR") or DaprGateway(
        timeout=app.config["SETTINGS"].invoke_timeout_s
    )


def gateway() -> DaprGateway:
    """Return the current app's gateway."""
    return current_app.extensions["dapr"]  # type: ignore[no-any-return]
