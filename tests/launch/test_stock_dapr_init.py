"""`dapr run -f .` on a machine where a user ran `dapr init`: an order goes all the way to `delivered`.

`dapr init` runs Redis, placement and scheduler in containers (placement and scheduler without mTLS, on
50005 and 50006; no Sentry) and writes no tokens anywhere. Here the same binaries run as those containers
run them (their entrypoints' flags; the published ports kept on loopback), and the user's shell has
none of the suite's tokens. With the real CLI on PATH this test runs it; in CI, its stand-in.
"""

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.launch.conftest import ctrl_c, in_terminal, listening, runner, user_env, wait_ready
from tests.launch.normal import ROOT
from tests.support.orders import sample_order

pytestmark = [pytest.mark.launch, pytest.mark.usefixtures("nothing_running")]
BIN = Path.home() / ".dapr" / "bin"
WORKFLOW = "http://127.0.0.1:8005"


@pytest.fixture
def dapr_init_machine(tmp_path: Path) -> Iterator[Path]:
    """Run Redis, placement and scheduler as `dapr init`'s containers do; stop them afterwards."""
    data = tmp_path / "dapr-init"
    data.mkdir()
    commands = {
        "redis": ["redis-server", "--port", "6379", "--bind", "127.0.0.1", "--dir", str(data), "--save", ""],
        # ./placement with no flags; the container's 8080 and 9090 are published as 58080 and 59090.
        "placement": [str(BIN / "placement"), "--listen-address", "127.0.0.1", "--healthz-port", "58080",
                      "--metrics-port", "59090"],
        "scheduler": [str(BIN / "scheduler"), f"--etcd-data-dir={data / 'scheduler'}",
                      "--override-broadcast-host-port=localhost:50006", "--listen-address", "127.0.0.1",
                      "--healthz-port", "58081", "--metrics-port", "59091"],
    }  # fmt: skip
    procs = [
        subprocess.Popen(cmd, cwd=data, stdout=(data / f"{name}.log").open("wb"), stderr=subprocess.STDOUT)
        for name, cmd in commands.items()
    ]
    try:
        deadline = time.monotonic() + 60
        while set(listening((6379, 50005, 50006))) != {6379, 50005, 50006}:
            assert time.monotonic() < deadline, "the dapr init control plane did not start"
            time.sleep(0.1)
        yield data
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            proc.kill()


def test_dapr_run_takes_an_order_to_delivered_in_the_development_profile(
    dapr_init_machine: Path, tmp_path: Path
) -> None:
    log = tmp_path / "dapr-run.log"
    started = time.time() - 1
    run = in_terminal([*runner(), "."], user_env(tmp_path / "data"), log)
    try:
        took = wait_ready(run, log)
        order = sample_order(order_id=f"stock-{time.time_ns()}")
        with httpx.Client(timeout=10) as http:
            assert http.post(f"{WORKFLOW}/start-order", json=order).status_code == 202
            status = _wait(http, order["order_id"], lambda s: s.get("stage") == "pending_validation")
            answer = http.post(
                f"{WORKFLOW}/validate-pizza", json={"order_id": order["order_id"], "approved": True}
            )
            assert answer.json()["validation_status"] == "approved"
            status = _wait(http, order["order_id"], lambda s: s.get("runtime_status") == "COMPLETED")
            assert status["output"]["status"] == "delivered"
            assert status["payment"] == "charged"
            history = [
                h["status"]
                for h in http.get(f"http://127.0.0.1:8001/order/{order['order_id']}").json()["history"]
            ]
            assert history[0] == "validating" and history[-1] == "delivered" and len(history) == 20
            for port in range(8001, 8006):  # and each /healthz says so, naming what is missing
                health = http.get(f"http://127.0.0.1:{port}/healthz").json()
                assert (health["status"], health["mode"]) == ("ok", "development"), health
                assert {"DAPR_API_TOKEN", "APP_API_TOKEN"} <= set(health["missing"]), health
        # Each app says at start that it runs without tokens, and how to run locked down.
        text = log.read_text()
        for app in ("pizza-order", "pizza-storefront", "pizza-kitchen", "pizza-delivery", "pizza-workflow"):
            assert f"== APP - {app} ==" in text and "development profile: no DAPR_API_TOKEN" in text
        daprds = [a for a in _cmdlines() if a[0].endswith("daprd")]
        assert len(daprds) == 5 and not any("--enable-mtls" in a for a in daprds), (
            "no mTLS: there is no Sentry"
        )
        # The CLI's log layout: each app's sidecar and app output under <app>/.dapr/logs/.
        for app in ("pizza-order", "pizza-storefront", "pizza-kitchen", "pizza-delivery", "pizza-workflow"):
            logs = ROOT / app / ".dapr" / "logs"
            for kind in ("daprd", "app"):
                assert [p for p in logs.glob(f"{app}_{kind}_*.log") if p.stat().st_mtime >= started], (
                    app,
                    kind,
                )
        if shutil.which("dapr"):  # the CLI's own look at the workflows (by hand; CI has no CLI)
            iid = f"pizza-order-{order['order_id']}"
            listed = _cli("workflow", "list", "--app-id", "pizza-workflow")
            assert any(iid in line and "COMPLETED" in line for line in listed.splitlines()), listed
            assert "ValidationComplete" in _cli("workflow", "history", iid, "--app-id", "pizza-workflow")
        print(f"five healthy apps {took:.1f} s after dapr run -f .")  # noqa: T201  (for the notes, with -s)
    finally:
        ctrl_c(run)
        run.wait(timeout=30)


def _cli(*args: str) -> str:
    return subprocess.run(["dapr", *args], capture_output=True, text=True, timeout=60, check=True).stdout


def _cmdlines() -> list[list[str]]:
    found = []
    for path in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            found.append(path.read_bytes().decode(errors="replace").split("\0"))
    return [a for a in found if a and a[0]]


def _wait(http: httpx.Client, order_id: str, done: object, timeout: float = 60) -> dict[str, object]:
    deadline = time.monotonic() + timeout
    while True:
        resp = http.get(f"{WORKFLOW}/get-status/{order_id}")
        status = resp.json() if resp.status_code == 200 else {}
        if callable(done) and done(status):
            return dict(status)
        assert time.monotonic() < deadline, f"order {order_id}: last {status}"
        time.sleep(0.1)
