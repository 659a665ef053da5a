"""An app passes the trace of the request it serves on to its sidecar calls."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pizza_common.dapr_io import DaprGateway
from pizza_common.settings import DaprSettings
from pizza_order import create_app

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
Sidecar = tuple[int, list[dict[str, str]]]  # its port, and the headers of each call it answered


class _Sidecar(BaseHTTPRequestHandler):
    """Answer every state read with 204, keeping the headers it was sent."""

    seen: list[dict[str, str]]

    def do_GET(self) -> None:
        self.seen.append(dict(self.headers))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def sidecar() -> Iterator[Sidecar]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_Sidecar,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_a_sidecar_call_carries_the_incoming_requests_trace(sidecar: Sidecar) -> None:
    port, seen = sidecar
    gateway = DaprGateway(DaprSettings(http_port=port))
    app = create_app({"TESTING": True, "DAPR": gateway})
    resp = app.test_client().get("/order/o-1", headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-01"})
    assert resp.status_code == 404
    parents = [h.get("traceparent", "") for h in seen]
    assert parents and all(p.startswith(f"00-{TRACE_ID}-") for p in parents), parents
    gateway.close()
