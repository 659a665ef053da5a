"""The suite over three hosts (network namespaces) for the test module; nothing of it left afterwards."""

from collections.abc import Iterator

import pytest

from tests.faults.conftest import OVERRIDES
from tests.hosts.netns import machine, unavailable
from tests.hosts.spread import NETWORK, Spread


@pytest.fixture(scope="module")
def spread(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Spread]:
    """Make the hosts, start the suite across them, and remove both however the module ends."""
    reason = unavailable()
    if reason:
        pytest.skip(f"several hosts need network namespaces: {reason}")
    before = machine()
    suite = Spread(tmp_path_factory.mktemp("hosts"), OVERRIDES | {"PIZZA_TRACING": "off"})
    try:
        NETWORK.create()
        suite.start()
        print(f"ready in {suite.wait_ready():.1f} s on {dict(NETWORK.addresses)}")  # noqa: T201 - a figure
        yield suite
    finally:
        suite.stop()
        leftovers = NETWORK.pids()
        NETWORK.destroy()
    assert leftovers == [], "processes outlived the suite on the hosts"
    assert machine() == before, "making the hosts changed this machine's own interfaces or routes"
