"""Record a release's replay fixtures from the real runtime: `python -m tests.upgrade.record 1.0.0`.

Runs the release's own code (a copy of its commit, tests/upgrade/releases.py) as `make run` does,
brings an order to each point of tests/upgrade/points.py, and writes the workflow's history there,
as daprd keeps it, to pizza-workflow/tests/replay/<version>/<point>.json.
"""

import json
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dapr.ext.workflow import DaprWorkflowClient
from google.protobuf.json_format import MessageToDict

from pizza_common.contract.names import STOREFRONT_APP, WORKFLOW_APP
from pizza_run import suite as launcher
from pizza_workflow.ids import instance_id
from tests.suite import READY_S, Suite
from tests.upgrade import points
from tests.upgrade.releases import Release, checkout, releases

log = logging.getLogger(__name__)
# Real stage durations, so cooking and delivery are still in flight when they are recorded;
# people's deadlines far enough away for a suite that stops and starts again in between.
ENV = {"PIZZA_TIME_SCALE": "1", "PIZZA_VALIDATION_TIMEOUT_S": "3600", "PIZZA_APPROVAL_TIMEOUT_S": "3600"}


def app_record(started: launcher.Suite, app_id: str) -> dict[str, Any]:
    """Return the stand-in's record of an app: its pid and its sidecar's ports."""
    return next(a for a in started.apps() if a["app_id"] == app_id)


def history_client(started: launcher.Suite) -> Any:
    """Return the durabletask client under the SDK's workflow client, which gives the raw history."""
    os.environ["DAPR_API_TOKEN"] = started.tokens.get("DAPR_API_TOKEN", "")
    port = str(app_record(started, WORKFLOW_APP)["grpc_port"])
    return DaprWorkflowClient(host="127.0.0.1", port=port)._DaprWorkflowClient__obj  # type: ignore[attr-defined]


@contextmanager
def release_suite(root: Path, data: Path, log_path: Path) -> Iterator[tuple[launcher.Suite, Suite]]:
    """Run the suite of the checkout at root on the data folder; yield the launcher's and the tests' views."""
    with launcher.running(log_path, data, ENV, READY_S, root) as started:
        yield started, Suite(log_path, started.tokens, data)


def record(release: Release) -> list[Path]:
    """Write the release's fixtures; return their paths."""
    root = checkout(release.commit)
    work = Path(tempfile.mkdtemp(prefix=f"record-{release.version}-"))
    release.fixtures.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with release_suite(root, work / "data", work / "run.log") as (started, suite):
        history = history_client(started)

        def at(point: str, order_id: str) -> None:
            events = history.get_instance_history(instance_id(order_id))
            fixture = {
                "release": release.version,
                "commit": release.commit,
                "point": point,
                "status": suite.status(order_id),
                "history": [MessageToDict(e) for e in events],
            }
            path = release.fixtures / f"{point}.json"
            path.write_text(json.dumps(fixture, indent=1) + "\n")
            written.append(path)
            log.info("recorded %s: %d events", point, len(events))

        storefront = int(app_record(started, STOREFRONT_APP)["app_pid"])
        try:
            points.bring(suite, storefront, at)
        finally:
            os.killpg(storefront, signal.SIGCONT)
    return written


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    wanted = sys.argv[1]
    for path in record(next(r for r in releases() if r.version == wanted)):
        log.info("wrote %s", path.relative_to(Path.cwd()))
