"""The chart's tools, built once per session."""

import pytest

from tests.deploy.chart import Tools, build_tools


@pytest.fixture(scope="session")
def tools() -> Tools:
    """Helm and the schema checker; skipped without Go."""
    return build_tools()
