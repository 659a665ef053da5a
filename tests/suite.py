"""The suite started exactly as `make run` starts it, and the helpers the end-to-end tests share."""

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from pizza_common.contract.names import PORTS, WORKFLOW_APP, ZIPKIN_URL
from pizza_run.http import TokenAuth, app_url
from pizza_run.suite import running
from tests.support.orders import sample_order

ROOT = Path(__file__).resolve().parents[1]
READY_S = 180.0
T = TypeVar("T")


def poll(fetch: Callable[[], T], done: Callable[[T], bool], timeout: float = 30, what: str = "") -> T:
    """Call fetch until done(result) or the deadline; fail with the last result."""
    deadline = time.monotonic() + timeout
    while True:
        result = fetch()
        if done(result):
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}: last {result!r}")
        time.sleep(0.05)


class Suite:
    """HTTP access to the five running apps, and waits on an order's progress."""

    def __init__(self, log: Path, tokens: dict[str, str], data: Path) -> None:
        self.log = log
        self.tokens = tokens
        self.data = data  # PIZZA_DATA_DIR: Redis, the scheduler, Sentry's certificates, run records
        # Tests reach routes for Dapr only and the sidecars' APIs directly, as Dapr and the apps do.
        self.http = httpx.Client(timeout=30, auth=TokenAuth(tokens))
        self.url = {app: app_url(app) for app in PORTS}

    @property
    def traced(self) -> bool:
        """Return whether a Zipkin takes the suite's spans (run.sh turns tracing off without one)."""
        try:
            return httpx.get(f"{ZIPKIN_URL}/health", timeout=5).status_code == 200  # without the tokens
        except httpx.HTTPError:
            return False

    def post(self, app: str, path: str, body: Any) -> httpx.Response:
        return self.http.post(self.url[app] + path, json=body)

    def get(self, app: str, path: str) -> httpx.Response:
        return self.http.get(self.url[app] + path)

    def start(self, **overrides: Any) -> dict[str, Any]:
        order = sample_order(**overrides)
        resp = self.post(WORKFLOW_APP, "/start-order", order)
        assert resp.status_code == 202, resp.text
        return order

    def status(self, order_id: str) -> dict[str, Any]:
        resp = self.get(WORKFLOW_APP, f"/get-status/{order_id}")
        return resp.json() if resp.status_code == 200 else {"http_status": resp.status_code}

    def wait_status(self, order_id: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60) -> Any:
        return poll(lambda: self.status(order_id), done, timeout, f"order {order_id}")

    def wait_stage(self, order_id: str, stage: str, timeout: float = 60) -> dict[str, Any]:
        return dict(self.wait_status(order_id, lambda s: s.get("stage") == stage, timeout))

    def purge(self) -> list[str]:
        """Purge every finished order's workflow, a page per request; return their order ids."""
        purged: list[str] = []
        cursor: str | None = None
        while True:
            resp = self.post(WORKFLOW_APP, "/purge-orders", {"cursor": cursor} if cursor else {})
            assert resp.status_code == 200, resp.text
            purged += resp.json()["purged"]
            cursor = resp.json()["next"]
            if cursor is None:
                return purged

    def history(self, order_id: str, last: str, timeout: float = 30) -> list[str]:
        """Return pizza-order's statuses for the order once the history ends with `last`."""

        def fetch() -> list[str]:
            resp = self.get("pizza-order", f"/order/{order_id}")
            return [h["status"] for h in resp.json()["history"]] if resp.status_code == 200 else []

        return poll(fetch, lambda h: bool(h) and h[-1] == last, timeout, f"history of {order_id}")


def _show_tokens_to_httpyac(data: Path, tokens: dict[str, str]) -> None:
    # test_endpoints_http sends a copy of Endpoints.http with no .env beside it: httpyac reads this one.
    (data / "httpyac").mkdir()
    (data / "httpyac" / ".env").write_text("".join(f"{k}={v}\n" for k, v in tokens.items()))
    os.environ["HTTPYAC_ENV"] = str(data / "httpyac")


def run_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """Run the suite for the session as `make run` does, with the launcher's start, readiness and stop."""
    log = tmp_path_factory.mktemp("suite") / "run.log"
    # A data folder of its own: a fresh Redis and scheduler, unless the user's already run.
    data = tmp_path_factory.mktemp("data")
    settings = {"PIZZA_TIME_SCALE": "0.01", "PIZZA_VALIDATION_TIMEOUT_S": "600"}
    with running(log, data, settings, READY_S) as started:
        _show_tokens_to_httpyac(data, started.tokens)
        # The `pizza` command reads the staff's token from the data folder, as it does after `make run`.
        os.environ["PIZZA_DATA_DIR"] = str(data)
        yield Suite(log, started.tokens, data)
