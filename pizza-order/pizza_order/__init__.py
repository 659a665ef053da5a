"""pizza-order: keep orders and their status history."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.names import ORDER_APP
from pizza_common.web import create_service_app
from pizza_order import routes


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the order app: defaults, then environment, then `test_config`."""
    return create_service_app(ORDER_APP, __name__, [routes.bp], test_config)
