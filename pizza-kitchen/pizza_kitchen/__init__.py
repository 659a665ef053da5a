"""pizza-kitchen: cook a pizza through the kitchen's stages."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.names import KITCHEN_APP
from pizza_common.web import create_service_app
from pizza_kitchen import routes


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the kitchen app: defaults, then environment, then `test_config`."""
    return create_service_app(KITCHEN_APP, __name__, [routes.bp], test_config)
