"""When the suite does its job: each process's check, the whole suite's, and the wait for them."""

import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

import httpx

from pizza_common.contract.names import PORTS, WORKFLOW_APP
from pizza_run.http import app_url, invoke_url, sidecar_url
from pizza_run.ports import CONTROL_PLANE, LOCALHOST
from pizza_run.replicas import shift, split

SIDECAR: Final = "-daprd"  # a sidecar's process name: its app's id and this


class NotReady(RuntimeError):
    """The suite, or a process of it, exited or did not answer in time."""


def sidecar(app_id: str) -> str:
    """Return the process name of an app's sidecar."""
    return f"{app_id}{SIDECAR}"


def processes(replicas: list[str] | None = None) -> list[str]:
    """Return the name of every process of the suite: the control plane, then each sidecar and app,
    then those of the replicas named (pizza-kitchen.2: pizza_run.replicas)."""
    apps = [*PORTS, *(replicas or [])]
    return [*CONTROL_PLANE, *(name for app in apps for name in (sidecar(app), app))]


def label(name: str) -> str:
    """Return a process's name and port, for a person."""
    if name in CONTROL_PLANE:
        return f"{name} on :{CONTROL_PLANE[name].port}"
    app = name.removesuffix(SIDECAR)
    app_id, replica = split(app)
    if name != app:
        return f"the sidecar of {app} on :{shift(PORTS[app_id][1], replica)}"
    return f"{app} on :{shift(PORTS[app_id][0], replica)}"


def _redis_answers(port: int, password: str | None) -> bool:
    with socket.create_connection((LOCALHOST, port), timeout=1) as s:
        if password:  # AUTH is answered while the AOF replays; PING is not
            s.sendall(f"AUTH {password}\r\n".encode())
            if not s.recv(64).startswith(b"+OK"):
                return False
        s.sendall(b"PING\r\n")
        return s.recv(64).startswith(b"+PONG")  # not -LOADING while the AOF replays


def ready(http: httpx.Client, name: str, redis_password: str | None = None) -> bool:
    """Return whether one process does its job: answers its health check or a ping."""
    try:
        if name == "redis":
            return _redis_answers(CONTROL_PLANE[name].port, redis_password)
        if name in CONTROL_PLANE:
            return http.get(f"http://{LOCALHOST}:{CONTROL_PLANE[name].healthz}/healthz").status_code == 200
        app = name.removesuffix(SIDECAR)
        app_id, replica = split(app)
        if name != app:
            return http.get(f"{sidecar_url(app_id, replica)}/healthz").status_code == 204
        if http.get(f"{app_url(app_id, replica)}/healthz").status_code != 200:
            return False
        # A 404 for an unknown order means the workflow app reached the workflow engine through its sidecar.
        probe = f"{app_url(app_id, replica)}/get-status/ready-probe"
        return app_id != WORKFLOW_APP or http.get(probe).status_code == 404
    except (OSError, httpx.HTTPError):
        return False


def reachable(http: httpx.Client, app_id: str) -> bool:
    """Return whether the workflow's sidecar reaches an app: names resolve and it sees the app healthy."""
    try:
        return http.get(invoke_url(app_id, "healthz")).status_code == 200
    except httpx.HTTPError:
        return False


def waiting_for(http: httpx.Client, names: list[str], redis_password: str | None = None) -> str | None:
    """Return the first of the named processes that is not ready, described, or None once all are."""
    return next((label(name) for name in names if not ready(http, name, redis_password)), None)


def suite_waiting_for(
    http: httpx.Client, redis_password: str | None = None, replicas: list[str] | None = None
) -> str | None:
    """Return what of the whole suite (with the replicas named) is not ready: a process, or an app
    through the workflow's sidecar."""
    waiting = waiting_for(http, processes(replicas), redis_password)
    if waiting is None:
        unreached = next((app_id for app_id in PORTS if not reachable(http, app_id)), None)
        if unreached:
            return f"invocation of {unreached} through the sidecar of {WORKFLOW_APP}"
    return waiting


def workflow_worker_connected(http: httpx.Client, dapr_http_port: int) -> bool:
    """Return whether a sidecar has a workflow worker connected, as its metadata says."""
    try:
        resp = http.get(f"http://{LOCALHOST}:{dapr_http_port}/v1.0/metadata")
        return resp.status_code == 200 and resp.json().get("workflows", {}).get("connectedWorkers", 0) > 0
    except (httpx.HTTPError, ValueError):
        return False


def wait(
    pending: Callable[[], str | None], exited: Callable[[], str | None], timeout_s: float, logs: Path
) -> None:
    """Poll until `pending` names nothing; raise NotReady if `exited` names a death, or at the deadline."""
    deadline = time.monotonic() + timeout_s
    while (waiting := pending()) is not None:
        gone = exited()
        if gone:
            raise NotReady(gone)
        if time.monotonic() > deadline:
            raise NotReady(f"not ready within {timeout_s:g} s: waiting for {waiting}; see {logs}")
        time.sleep(0.2)
