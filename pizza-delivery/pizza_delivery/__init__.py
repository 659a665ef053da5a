"""pizza-delivery: deliver a pizza through the delivery stages."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.contract.names import DELIVERY_APP
from pizza_common.service.web import create_service_app
from pizza_delivery import routes


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the delivery app: defaults, then environment, then `test_config`."""
    return create_service_app(DELIVERY_APP, __name__, [routes.bp], test_config)
