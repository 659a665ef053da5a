from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_openapi3 import OpenAPI

from pizza_kitchen import create_app
from pizza_kitchen.settings import KitchenSettings
from tests.support.dapr_double import FakeDapr

Levels = Callable[[], dict[str, dict[str, Any]]]


@pytest.fixture
def app(dapr: FakeDapr) -> OpenAPI:
    return create_app({"TESTING": True, "DAPR": dapr, "KITCHEN_SETTINGS": KitchenSettings(initial_stock=10)})


@pytest.fixture
def levels(client: FlaskClient) -> Levels:
    """Return a reader of the inventory view's levels per ingredient."""

    def read() -> dict[str, dict[str, Any]]:
        resp = client.get("/inventory")
        assert resp.status_code == 200
        return resp.json["ingredients"]  # type: ignore[no-any-return]

    return read
