"""The workflow runtime and client of pizza-workflow, attached to the app."""

import atexit
import logging

from dapr.ext.workflow import DaprWorkflowClient, WorkflowRuntime
from dapr.ext.workflow.logger import LoggerOptions
from flask import Flask, current_app

from pizza_common.service import server
from pizza_workflow import activities, sweep
from pizza_workflow.ids import WORKFLOW_NAME
from pizza_workflow.workflows import pizza_workflow

log = logging.getLogger(__name__)
# Activities mostly wait on other services, so they get more threads than the SDK's default
# (cores + 4); docs/benchmark.md has what it changed.
ACTIVITY_THREADS = 32


def _logger_options() -> LoggerOptions:
    """Let the SDK's loggers print through the root handler, once, in the suite's format."""
    return LoggerOptions(log_handler=logging.NullHandler())


def init_app(app: Flask) -> None:
    """Attach a workflow client, and start the runtime unless the config says not to."""
    app.extensions["workflows"] = app.config.get("WORKFLOW_CLIENT") or DaprWorkflowClient(
        logger_options=_logger_options()
    )
    if not app.config.get("WORKFLOW_RUNTIME", True):
        return
    activities.use_gateway(app.extensions["dapr"])
    runtime = WorkflowRuntime(logger_options=_logger_options(), maximum_thread_pool_workers=ACTIVITY_THREADS)
    runtime.register_workflow(pizza_workflow, name=WORKFLOW_NAME)
    for activity in activities.ALL:
        runtime.register_activity(activity)
    runtime.start()
    settings = app.config["WORKFLOW_SETTINGS"]
    sweeping = sweep.every(settings.sweep_interval_s, app.extensions["workflows"], app.extensions["dapr"])
    server.at_worker_exit(sweeping.set)
    # Under gunicorn its worker stops it (its threads would hold the worker until killed); else at exit.
    server.at_worker_exit(runtime.shutdown)
    atexit.register(runtime.shutdown)
    log.info("workflow runtime started: %s", WORKFLOW_NAME)


def client() -> DaprWorkflowClient:
    """Return the current app's workflow client."""
    return current_app.extensions["workflows"]  # type: ignore[no-any-return]
