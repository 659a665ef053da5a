"""pizza-order: keep orders and their status history, and serve the shop page."""

from collections.abc import Mapping
from typing import Any

from flask_openapi3 import OpenAPI

from pizza_common.contract.names import ORDER_APP
from pizza_common.service.server import RefusedStart
from pizza_common.service.web import create_service_app
from pizza_order import live, routes, shop_api, staff, ui


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the order app: defaults, then environment, then `test_config`."""
    app = create_service_app(
        ORDER_APP, __name__, [routes.bp, live.bp, shop_api.bp, staff.bp, ui.bp], test_config
    )
    if app.config["SETTINGS"].workers > 1:
        # Each worker would hold its own streams: an event merged by one would miss the others' pages.
        raise SingleWorker(
            f"refusing to start: PIZZA_WORKERS={app.config['SETTINGS'].workers}, but pizza-order keeps its "
            "live streams in its process: run one worker (PIZZA_THREADS sets how many requests it serves)"
        )
    staff.init_app(app)
    live.init_app(app)
    return app


class SingleWorker(RefusedStart):
    """pizza-order's live streams live in its one process."""
