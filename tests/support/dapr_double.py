"""Stand-ins for unit tests: an in-memory DaprGateway with the sidecar's state semantics."""

import itertools
import json
from collections.abc import Callable
from typing import Any

import urllib3

from pizza_common.sidecar.dapr_io import DaprGateway, DaprUnavailable, ETagMismatch, Invocation

Handler = Callable[[Any], tuple[int, Any]]


class FakeDapr(DaprGateway):
    """Keeps state with etags, records publishes and answers invocations from handlers."""

    def __init__(self) -> None:  # no HTTP client: nothing here leaves the process
        self.state: dict[str, tuple[str, str]] = {}  # key -> (JSON value, etag)
        self.published: list[tuple[str, Any]] = []
        self.invoked: list[tuple[str, str, Any]] = []
        self.headers: list[dict[str, str]] = []  # the headers of each invocation, in order
        self.handlers: dict[tuple[str, str], Handler] = {}
        self.fail_publish: Exception | None = None
        self.conflicts_before_save = 0  # simulate writers that win the race this many times
        self.ttls: dict[str, int | None] = {}  # key -> the lifetime its last write gave it
        self._etags = itertools.count(1)

    def get_state(self, key: str) -> tuple[Any | None, str | None]:
        if key not in self.state:
            return None, None
        raw, etag = self.state[key]
        return json.loads(raw), etag

    def save_state(
        self, key: str, value: Any, etag: str | None = None, *, create: bool = False, ttl_s: int | None = None
    ) -> None:
        if self.conflicts_before_save > 0:
            self.conflicts_before_save -= 1
            raise ETagMismatch(key)
        current = self.state.get(key)
        if (etag is not None or create) and (current[1] if current else "") != (etag or ""):
            raise ETagMismatch(key)
        self.state[key] = (json.dumps(value), str(next(self._etags)))
        self.ttls[key] = ttl_s

    def delete_state(self, key: str, etag: str | None = None) -> None:
        if etag is not None and key in self.state and self.state[key][1] != etag:
            raise ETagMismatch(key)
        self.state.pop(key, None)

    def publish(self, topic: str, data: Any) -> None:
        if self.fail_publish is not None:
            raise self.fail_publish
        self.published.append((topic, json.loads(json.dumps(data))))

    def invoke(
        self, app_id: str, method: str, data: Any, headers: dict[str, str] | None = None
    ) -> Invocation:
        self.invoked.append((app_id, method, data))
        self.headers.append(dict(headers or {}))
        status, body = self.handlers.get((app_id, method), lambda _: (200, data))(data)
        if status >= 500:
            raise DaprUnavailable(f"invoke {app_id}/{method}: HTTP {status}")
        return Invocation(status, body)

    def invoke_get(self, app_id: str, method: str, headers: dict[str, str] | None = None) -> Invocation:
        return self.invoke(app_id, method, None, headers)

    def statuses(self, order_id: str) -> list[str]:
        """Return the statuses published for an order, in order."""
        return [d["status"] for _, d in self.published if d.get("order_id") == order_id]

    def close(self) -> None:
        pass


class CannedPool:
    """A stand-in for the gateway's connection pool: records each request, answers from a list."""

    def __init__(self, *answers: tuple[int, Any] | Exception, headers: dict[str, str] | None = None) -> None:
        self.answers = list(answers)
        self.headers = headers or {}
        self.requests: list[dict[str, Any]] = []

    def urlopen(self, method: str, url: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        self.requests.append({"method": method, "url": url, **kwargs})
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return urllib3.HTTPResponse(body=data, status=status, headers=self.headers, preload_content=True)

    def close(self) -> None:
        self.answers = []
