"""Every service's app in-process, on in-memory stand-ins for Dapr, and what it has stored."""

import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from flask_openapi3 import OpenAPI
from hypothesis import HealthCheck, settings

import pizza_delivery
import pizza_kitchen
import pizza_order
import pizza_storefront
import pizza_workflow
from pizza_common.contract.names import DELIVERY_APP, KITCHEN_APP, ORDER_APP, STOREFRONT_APP, WORKFLOW_APP
from pizza_common.service.settings import Settings
from pizza_kitchen.settings import KitchenSettings
from tests.support.dapr_double import FakeDapr
from tests.support.workflow_doubles import FakeWorkflowClient

# Pinned, not read from the environment: no stage waits, and no app token even in a shell that has one.
SETTINGS = Settings(time_scale=0).model_copy(update={"app_api_token": None})
CASES: Counter[str] = Counter()  # fuzz cases per service, reported at the end of the run (conftest)


FACTORIES: dict[str, Callable[[Mapping[str, Any] | None], OpenAPI]] = {
    ORDER_APP: pizza_order.create_app,
    STOREFRONT_APP: pizza_storefront.create_app,
    KITCHEN_APP: pizza_kitchen.create_app,
    DELIVERY_APP: pizza_delivery.create_app,
    WORKFLOW_APP: pizza_workflow.create_app,
}


def build(service: str, **extra: Any) -> OpenAPI:
    """Return the named service's app on a fresh FakeDapr (and workflow client, for pizza-workflow)."""
    config: dict[str, Any] = {
        "TESTING": True,
        "DAPR": FakeDapr(),
        "DAPR_HEALTH": lambda: True,  # the stand-in for Dapr is always there
        "SETTINGS": SETTINGS,
        "KITCHEN_SETTINGS": KitchenSettings(initial_stock=10),
        "WORKFLOW_CLIENT": FakeWorkflowClient(),
        "WORKFLOW_RUNTIME": False,
    }
    return FACTORIES[service](config | extra)


def stored(app: OpenAPI) -> str:
    """Return everything the app has stored or sent, to compare before and after a request."""
    dapr: FakeDapr = app.extensions["dapr"]
    workflows = app.extensions.get("workflows")
    instances = sorted(getattr(workflows, "instances", {}))
    events = getattr(workflows, "events", [])
    return json.dumps([sorted(dapr.state.items()), dapr.published, instances, events])


def repeatable(examples: int) -> settings:
    """Return hypothesis' settings for a fuzz test: the same cases each run, no deadline, no database."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
