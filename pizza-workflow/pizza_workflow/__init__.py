"""pizza-workflow: orchestrate an order through the shop as a durable Dapr workflow."""

from collections.abc import Mapping
from typing import Any

import grpc
from flask_openapi3 import OpenAPI

from pizza_common.auth import staff_guard as staff
from pizza_common.contract.names import WORKFLOW_APP
from pizza_common.service.web import Reply, create_service_app, error
from pizza_workflow import decisions, listing, purge_routes, routes, worker
from pizza_workflow.settings import WorkflowSettings


def create_app(test_config: Mapping[str, Any] | None = None) -> OpenAPI:
    """Create the workflow app and start its workflow runtime (unless `test_config` says not)."""
    app = create_service_app(WORKFLOW_APP, __name__, [routes.bp, decisions.bp, purge_routes.bp], test_config)
    # Read once at start: a bad PIZZA_VALIDATION_TIMEOUT_S fails the start, not an order.
    app.config.setdefault("WORKFLOW_SETTINGS", WorkflowSettings())
    staff.init_app(app)
    worker.init_app(app)

    @app.errorhandler(listing.BadCursor)
    def bad_cursor(exc: listing.BadCursor) -> Reply:
        problem = "not a cursor this API gave: start again without it"
        return error(422, "invalid request: cursor", problems=[{"field": "cursor", "problem": problem}])

    @app.errorhandler(grpc.RpcError)
    def workflow_engine_down(exc: grpc.RpcError) -> Reply:
        app.logger.error("workflow engine call failed: %s", exc)
        return error(503, "the workflow engine is unavailable, try again")

    return app
