"""Credentials at start: refused in the locked profile or when only some are set, loud in development,
and reported by every app's /healthz."""

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pizza_common.auth.credentials import MissingCredentials, check_credentials
from pizza_common.contract.names import ORDER_APP, PORTS, WORKFLOW_APP
from pizza_common.release import VERSION
from pizza_common.service.settings import Settings
from tests.fuzz.apps import SETTINGS, build

TOKENS = ("DAPR_API_TOKEN", "APP_API_TOKEN", "PIZZA_STAFF_TOKEN", "PIZZA_SECRET_KEY")


@pytest.fixture(autouse=True)
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TOKENS:
        monkeypatch.delenv(name, raising=False)


def test_in_development_without_any_the_app_starts_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    app = build(ORDER_APP)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        missing = check_credentials(app, "development", {"A": None, "B": ""}, "anyone can do anything")
    assert missing == ["A", "B"]
    assert "development profile: no A or B: anyone can do anything" in caplog.text


@pytest.mark.parametrize(
    ("profile", "required"),
    [
        ("locked", {"A": None, "B": None}),
        ("locked", {"A": "x", "B": None}),
        ("development", {"A": "x", "B": None}),
    ],
)
def test_the_locked_profile_or_only_some_set_refuses_to_start(
    profile: str, required: dict[str, str | None]
) -> None:
    with pytest.raises(MissingCredentials, match=r"refusing to start: .*B not set"):
        check_credentials(build(ORDER_APP), profile, required, "")


def test_with_all_set_nothing_is_missing(caplog: pytest.LogCaptureFixture) -> None:
    app = build(ORDER_APP)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert check_credentials(app, "locked", {"A": "x"}, "") == []
    assert not caplog.text


@pytest.mark.parametrize("service", sorted(PORTS))
def test_healthz_reports_the_development_mode_and_what_is_missing(service: str) -> None:
    resp = build(service).test_client().get("/healthz")
    assert resp.status_code == 200
    answer = resp.get_json()
    assert (answer["status"], answer["mode"]) == ("ok", "development")
    assert {"DAPR_API_TOKEN", "APP_API_TOKEN"} <= set(answer["missing"])
    if service in (ORDER_APP, WORKFLOW_APP):  # the two that guard staff actions
        assert "PIZZA_STAFF_TOKEN" in answer["missing"]


def test_healthz_reports_locked_with_every_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in TOKENS:
        monkeypatch.setenv(name, f"{name}-value")
    locked = Settings(profile="locked", time_scale=0)
    resp = build(WORKFLOW_APP, SETTINGS=locked).test_client().get("/healthz")
    assert resp.get_json() | {"app": "-"} == {
        "status": "ok",
        "app": "-",
        "dapr": "ok",
        "mode": "locked",
        "missing": [],
        "version": VERSION,
    }


def test_healthz_still_answers_503_while_the_sidecar_is_unreachable() -> None:
    resp = build(ORDER_APP, DAPR_HEALTH=lambda: False).test_client().get("/healthz")
    assert (resp.status_code, resp.get_json()["status"], resp.get_json()["mode"]) == (
        503,
        "degraded",
        "development",
    )


def test_an_app_locked_without_its_staff_token_refuses_to_start() -> None:
    with pytest.raises(MissingCredentials, match="PIZZA_STAFF_TOKEN"):
        build(WORKFLOW_APP, SETTINGS=SETTINGS.model_copy(update={"profile": "locked"}))


def test_python_app_py_without_its_tokens_stops_at_once_instead_of_booting_workers_again() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in TOKENS}
    env |= {"PIZZA_PROFILE": "locked", "APP_PORT": str(port), "PIZZA_TRACING": "off"}
    kitchen = Path(__file__).resolve().parents[2] / "pizza-kitchen"
    done = subprocess.run(
        [sys.executable, "app.py"],
        cwd=kitchen,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 4, done.stderr[-2000:]  # gunicorn's master stops: "App failed to load"
    assert done.stderr.count("refusing to start: DAPR_API_TOKEN, APP_API_TOKEN not set") == 1
