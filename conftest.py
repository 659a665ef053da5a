"""Settings every test starts from: no waiting in stage durations unless a test says so."""

import pytest


@pytest.fixture(autouse=True)
def _no_stage_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIZZA_TIME_SCALE", "0")
