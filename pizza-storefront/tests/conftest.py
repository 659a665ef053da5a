import pytest
from flask_openapi3 import OpenAPI

from pizza_common.testing import FakeDapr
from pizza_storefront import create_app


@pytest.fixture
def app(dapr: FakeDapr) -> OpenAPI:
    return create_app({"TESTING": True, "DAPR": dapr})
