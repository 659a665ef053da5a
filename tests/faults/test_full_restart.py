"""Stop the whole suite, control plane included, while orders are in flight; start it again on
the same data: the orders continue where they were and end delivered."""

import signal
from typing import Any

import pytest

from pizza_run.http import TokenAuth
from pizza_run.supervisor import Cluster
from tests.faults.drill import check, through_fault

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["stopped", "killed"])
def test_a_restart_of_everything_mid_batch_finishes_every_order(
    cluster: Cluster, figures: list[dict[str, Any]], sig: signal.Signals
) -> None:
    def restart_all() -> None:
        cluster.stop(sig)
        cluster.start()

    audit, row = through_fault(f"everything ({sig.name})", restart_all, TokenAuth(cluster.env))
    figures.append(row)
    print(row, audit)  # noqa: T201 - visible with -s while the table waits for the session's end
    assert row["in_flight"] > 0, "the restart found no order in flight: the batch is too fast"
    check(audit)
