"""Fixtures every service's tests share: no stage waits, an in-memory Dapr, a test client."""

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support.dapr_double import FakeDapr


@pytest.fixture(autouse=True)
def _no_stage_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIZZA_TIME_SCALE", "0")
    # The apps made in tests send no spans: a Zipkin on this machine may be someone else's suite's.
    monkeypatch.setenv("PIZZA_TRACING", "off")


@pytest.fixture
def dapr() -> FakeDapr:
    return FakeDapr()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the service's `app` fixture (each service's conftest defines it)."""
    return app.test_client()
