"""pizza-order: keep orders and their status history, and serve the shop page."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.names import ORDER_APP
from pizza_common.web import create_service_app
from pizza_order import live, routes, shop_api, ui


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the order app: defaults, then environment, then `test_config`."""
    app = create_service_app(ORDER_APP, __name__, [routes.bp, live.bp, shop_api.bp, ui.bp], test_config)
    live.init_app(app)
    return app
