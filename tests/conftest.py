"""One running suite per test session, shared by the e2e, browser and CLI tests."""

from collections.abc import Iterator

import pytest

from tests.suite import Suite, run_suite


@pytest.fixture(scope="session")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """Start the suite as `make run` does, once, and stop it after the last test."""
    yield from run_suite(tmp_path_factory)
