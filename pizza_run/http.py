"""How to reach the running suite: the URLs of its apps and sidecars, and the auth that carries its tokens."""

from collections.abc import Generator, Mapping
from typing import Final

import httpx

from pizza_common.contract.names import PORTS, STAFF_HEADER, WORKFLOW_APP
from pizza_run.ports import LOCALHOST
from pizza_run.replicas import shift

TOKEN_HEADER: Final = "dapr-api-token"  # the header both tokens travel in, as Dapr sends them


def app_url(app_id: str, replica: int = 1) -> str:
    """Return the base URL of an app's own port (of one of its replicas: pizza_run.replicas)."""
    return f"http://{LOCALHOST}:{shift(PORTS[app_id][0], replica)}"


def sidecar_url(app_id: str, replica: int = 1) -> str:
    """Return the base URL of an app's sidecar HTTP API (of one of its replicas)."""
    return f"http://{LOCALHOST}:{shift(PORTS[app_id][1], replica)}/v1.0"


def invoke_url(target: str, method: str, via: str = WORKFLOW_APP) -> str:
    """Return the URL that invokes target's method through the sidecar of `via`."""
    return f"{sidecar_url(via)}/invoke/{target}/method/{method}"


class TokenAuth(httpx.Auth):
    """Send the suite's tokens where they are required: DAPR_API_TOKEN to sidecars, APP_API_TOKEN and
    the staff's token to apps (a test or the bench acts as Dapr and as staff)."""

    def __init__(self, tokens: Mapping[str, str]) -> None:
        self._staff = tokens.get("PIZZA_STAFF_TOKEN")
        self._app_ports = {app_port for app_port, _ in PORTS.values()}
        self._by_port: dict[int, str] = {}
        for app_port, dapr_port in PORTS.values():
            if tokens.get("APP_API_TOKEN"):
                self._by_port[app_port] = tokens["APP_API_TOKEN"]
            if tokens.get("DAPR_API_TOKEN"):
                self._by_port[dapr_port] = tokens["DAPR_API_TOKEN"]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the token of the port the request goes to, if it has one."""
        port = request.url.port or 0
        token = self._by_port.get(port)
        if token and TOKEN_HEADER not in request.headers:
            request.headers[TOKEN_HEADER] = token
        if self._staff and port in self._app_ports and STAFF_HEADER not in request.headers:
            request.headers[STAFF_HEADER] = self._staff
        yield request
