"""The /healthz of every service: up, and able to reach Dapr through its sidecar."""

from collections.abc import Callable
from typing import Any

import urllib3
from flask import Flask

from pizza_common.auth import credentials
from pizza_common.release import VERSION
from pizza_common.service.settings import DaprSettings

Probe = Callable[[], bool]


def sidecar_probe(timeout: float, settings: DaprSettings | None = None) -> Probe:
    """Return a probe of the sidecar's outbound health: can this app use Dapr's APIs now."""
    # Outbound, not /v1.0/healthz: daprd marks outbound ready before it waits for the app, while
    # its inbound health waits for this very endpoint, so asking for it would deadlock the start.
    url = f"{(settings or DaprSettings()).base_url}/healthz/outbound"
    http = urllib3.PoolManager(maxsize=4, timeout=timeout, retries=False)

    def probe() -> bool:
        try:
            return 200 <= http.request("GET", url).status < 300
        except urllib3.exceptions.HTTPError:
            return False

    return probe


def init_app(app: Flask, name: str) -> None:
    """Serve GET /healthz: 200 when the sidecar answers, 503 "degraded" when it does not (daprd's
    app health check reads only the status); the body also says whether the app runs locked down,
    or in the development mode and without which credentials."""
    probe: Probe = app.config.get("DAPR_HEALTH") or sidecar_probe(app.config["SETTINGS"].health_timeout_s)

    @app.get("/healthz")
    def healthz() -> dict[str, Any] | tuple[dict[str, Any], int]:
        without = credentials.missing(app)
        mode = {"mode": "development" if without else "locked", "missing": without, "version": VERSION}
        if probe():
            return {"status": "ok", "app": name, "dapr": "ok", **mode}
        return {"status": "degraded", "app": name, "dapr": "unreachable", **mode}, 503
