"""pizza-kitchen: cook pizzas through the kitchen's stages, from an inventory of ingredients."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.contract.names import KITCHEN_APP
from pizza_common.service.web import create_service_app
from pizza_kitchen import routes
from pizza_kitchen.settings import KitchenSettings


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the kitchen app: defaults, then environment, then `test_config`."""
    app = create_service_app(KITCHEN_APP, __name__, [routes.kitchen, routes.stock], test_config)
    # Read once at start: a bad PIZZA_INITIAL_STOCK fails the start, not a request.
    app.config.setdefault("KITCHEN_SETTINGS", KitchenSettings())
    return app
