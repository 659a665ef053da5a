import pytest
from flask_openapi3 import OpenAPI

from pizza_order import create_app
from tests.support.dapr_double import FakeDapr


@pytest.fixture
def app(dapr: FakeDapr) -> OpenAPI:
    return create_app({"TESTING": True, "DAPR": dapr})
