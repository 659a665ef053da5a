"""The suite started exactly as `make run` starts it, and the helpers the end-to-end tests share."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from pizza_common.fixtures import sample_order
from pizza_common.names import PORTS, WORKFLOW_APP

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


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


class TokenAuth(httpx.Auth):
    """Send each token where it is required: the Dapr API token to sidecars, the app token to apps."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.by_port = {dapr: tokens["DAPR_API_TOKEN"] for _, dapr in PORTS.values()}
        self.by_port |= {app: tokens["APP_API_TOKEN"] for app, _ in PORTS.values()}

    def auth_flow(self, request: httpx.Request) -> Iterator[httpx.Request]:
        token = self.by_port.get(request.url.port or 0)
        if token and "dapr-api-token" not in request.headers:
            request.headers["dapr-api-token"] = token
        yield request


def load_tokens(data: Path) -> dict[str, str]:
    """Make the suite's tokens as `make run` does, and show them to httpyac as a .env."""
    made = subprocess.run(
        ["bash", "scripts/tokens.sh"],
        cwd=ROOT,
        env=os.environ | {"PIZZA_DATA_DIR": str(data)},
        capture_output=True,
        text=True,
        check=True,
    )
    text = Path(made.stdout.strip()).read_text()
    (data / "httpyac").mkdir()
    (data / "httpyac" / ".env").write_text(text)
    # test_endpoints_http sends a copy of Endpoints.http with no .env beside it: httpyac reads this one.
    os.environ["HTTPYAC_ENV"] = str(data / "httpyac")
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


class Suite:
    """HTTP access to the five running apps, and waits on an order's progress."""

    def __init__(self, log: Path, tokens: dict[str, str]) -> None:
        self.log = log
        self.tokens = tokens
        # Tests reach routes for Dapr only and the sidecars' APIs directly, as Dapr and the apps do.
        self.http = httpx.Client(timeout=30, auth=TokenAuth(tokens))
        self.url = {app: f"http://127.0.0.1:{ports[0]}" for app, ports in PORTS.items()}

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

    def history(self, order_id: str, last: str, timeout: float = 30) -> list[str]:
        """Return pizza-order's statuses for the order once the history ends with `last`."""

        def fetch() -> list[str]:
            resp = self.get("pizza-order", f"/order/{order_id}")
            return [h["status"] for h in resp.json()["history"]] if resp.status_code == 200 else []

        return poll(fetch, lambda h: bool(h) and h[-1] == last, timeout, f"history of {order_id}")


def _wait_ready(proc: subprocess.Popen[bytes], log: Path, timeout: float = 180) -> None:
    http = httpx.Client(timeout=2)

    def ready() -> bool:
        if proc.poll() is not None:
            pytest.fail(f"the suite exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            apps = all(
                http.get(f"http://127.0.0.1:{a}/healthz").status_code == 200 for a, _ in PORTS.values()
            )
            sidecars = all(
                http.get(f"http://127.0.0.1:{d}/v1.0/healthz").status_code == 204 for _, d in PORTS.values()
            )
            # A 404 from get-status means the workflow app reached the workflow engine.
            engine = http.get(f"http://127.0.0.1:{PORTS[WORKFLOW_APP][0]}/get-status/ready-probe")
            return apps and sidecars and engine.status_code == 404
        except httpx.HTTPError:
            return False

    poll(ready, bool, timeout, "all five apps, their sidecars and the workflow engine")


def run_suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    busy = [p for ports in PORTS.values() for p in ports if listening(p)]
    if busy:
        pytest.fail(f"ports {busy} are in use: stop the running suite first (make stop)")
    log = tmp_path_factory.mktemp("suite") / "run.log"
    # A data folder of its own: a fresh Redis and scheduler, unless the user's already run.
    data = tmp_path_factory.mktemp("data")
    tokens = load_tokens(data)
    settings = {"PIZZA_TIME_SCALE": "0.01", "PIZZA_VALIDATION_TIMEOUT_S": "600", "PIZZA_DATA_DIR": str(data)}
    env = os.environ | tokens | settings
    with log.open("wb") as out:
        proc = subprocess.Popen(
            ["bash", "scripts/run.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_ready(proc, log)
        yield Suite(log, tokens)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
