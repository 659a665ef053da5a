"""pizza-storefront: the menu, taking an order, and a simulated payment provider."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.contract.names import STOREFRONT_APP
from pizza_common.service.web import create_service_app
from pizza_storefront import payment_routes, routes


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the storefront app: defaults, then environment, then `test_config`."""
    return create_service_app(STOREFRONT_APP, __name__, [routes.bp, payment_routes.bp], test_config)
