"""The `pizza` terminal client against the running suite, as a user runs it."""

import os
import re
import socket
import subprocess
import sys

import pytest

from pizza_common.auth import signin
from pizza_common.contract.names import ORDER_APP, ZIPKIN_URL
from pizza_common.release import VERSION
from tests.suite import Suite

CUSTOMER = ["--name", "Ada Lovelace", "--address", "12 Analytical Way", "--phone", "555-0100"]
e2e = pytest.mark.e2e


def pizza(url: str, *args: str) -> subprocess.Popen[str]:
    """Start `pizza ARGS` against the shop at url (`python -m pizza_cli`: the script's code)."""
    env = os.environ | {"PIZZA_URL": url, "COLUMNS": "200"}
    cmd = [sys.executable, "-m", "pizza_cli", *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run(url: str, *args: str) -> tuple[int, str, str]:
    proc = pizza(url, *args)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_staff_link_prints_a_one_time_link_signed_with_the_suites_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PIZZA_SECRET_KEY", "the-suites-secret")
    rc, out, err = run("http://127.0.0.1:8001", "staff-link")
    assert (rc, err) == (0, "")
    link = out.strip()
    assert link.startswith("http://127.0.0.1:8001/staff?token=")
    assert signin.nonce("the-suites-secret", link.partition("token=")[2])
    assert run("http://127.0.0.1:8001", "staff-link")[1].strip() != link  # a new nonce each time


def test_version_prints_the_suites_release() -> None:
    rc, out, err = run(f"http://127.0.0.1:{unused_port()}", "--version")
    assert (rc, out, err) == (0, f"pizza {VERSION}\n", "")


def test_a_stopped_suite_is_one_line_and_exit_2() -> None:
    url = f"http://127.0.0.1:{unused_port()}"
    rc, out, err = run(url, "list")
    assert rc == 2
    assert err == f"the pizza suite is not running on {url}: start it with `make run`\n"
    assert out == ""


@e2e
def test_an_order_is_followed_to_delivery_once_approved(suite: Suite) -> None:
    url = suite.url[ORDER_APP]
    follow = pizza(url, "order", "pepperoni", "large", *CUSTOMER, "--quantity", "1", "--id", "cli-1")
    suite.wait_stage("cli-1", "pending_validation", timeout=120)
    rc, out, _ = run(url, "approve", "cli-1")
    assert (rc, out) == (0, "order cli-1: approved by the kitchen\n")
    out, err = follow.communicate(timeout=180)
    assert follow.returncode == 0, err
    lines = out.splitlines()
    assert lines[0] == "order cli-1 placed"
    assert lines[-1] == "order cli-1: delivered"
    assert any("waiting for the kitchen's quality check" in line for line in lines)
    assert any("on the way: Your pizza is on the way." in line for line in lines)

    rc, out, _ = run(url, "status", "cli-1")
    assert rc == 0
    assert "order cli-1: COMPLETED, stage delivered" in out
    assert "Delivered. Enjoy your pizza!" in out
    if suite.traced:
        assert re.search(rf"^trace [0-9a-f]{{32}}: {ZIPKIN_URL}/zipkin/traces/[0-9a-f]{{32}}$", out, re.M), (
            out
        )
    rc, out, _ = run(url, "list", "--status", "COMPLETED", "--limit", "2", "--all")
    assert rc == 0 and "cli-1" in out and "COMPLETED" in out and "RUNNING" not in out


@e2e
def test_an_order_is_paused_resumed_and_cancelled(suite: Suite) -> None:
    url = suite.url[ORDER_APP]
    order = suite.start(order_id="cli-2")
    suite.wait_stage(order["order_id"], "pending_validation", timeout=120)
    assert run(url, "pause", "cli-2")[:2] == (0, "order cli-2: paused\n")
    suite.wait_status("cli-2", lambda s: s.get("runtime_status") == "SUSPENDED")
    assert run(url, "resume", "cli-2")[:2] == (0, "order cli-2: resumed\n")
    suite.wait_status("cli-2", lambda s: s.get("runtime_status") == "RUNNING")
    assert run(url, "cancel", "cli-2")[:2] == (0, "order cli-2: cancelled\n")
    rc, out, _ = run(url, "follow", "cli-2")
    assert rc == 3
    assert out.splitlines()[-1] == "order cli-2: cancelled"


@e2e
def test_bad_input_names_the_fields_and_exits_1(suite: Suite) -> None:
    url = suite.url[ORDER_APP]
    rc, _, err = run(url, "order", "calzone", "small", "--name", "A", "--address", "B", "--phone", "call me")
    assert rc == 1
    assert "error: invalid request: pizza_type, customer.phone (HTTP 422)" in err
    assert "  customer.phone: String should match pattern" in err
    rc, _, err = run(url, "pause", "no-such-order")
    assert rc == 1
    assert "order no-such-order not found (HTTP 404)" in err


@e2e
def test_the_menu_shows_prices(suite: Suite) -> None:
    rc, out, _ = run(suite.url[ORDER_APP], "menu")
    assert rc == 0
    assert "Margherita" in out and "18.00 USD" in out
