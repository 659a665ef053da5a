import pytest
from flask_openapi3 import OpenAPI

from pizza_workflow import create_app
from tests.support.dapr_double import FakeDapr
from tests.support.workflow_doubles import FakeWorkflowClient


@pytest.fixture
def workflows() -> FakeWorkflowClient:
    return FakeWorkflowClient()


@pytest.fixture
def app(dapr: FakeDapr, workflows: FakeWorkflowClient) -> OpenAPI:
    return create_app(
        {"TESTING": True, "DAPR": dapr, "WORKFLOW_CLIENT": workflows, "WORKFLOW_RUNTIME": False}
    )
