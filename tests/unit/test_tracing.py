"""An app passes the trace of the request it serves on to its sidecar calls; no span keeps a query."""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pizza_common.service.settings import DaprSettings
from pizza_common.service.tracing import NoQueryValues
from pizza_common.sidecar.dapr_io import DaprGateway
from pizza_order import create_app
from tests.support.dapr_double import FakeDapr

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


SECRET = "s3cret-token"


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("http.target", f"/api/events?order=o1&token={SECRET}", "/api/events?REDACTED"),
        ("http.url", f"http://127.0.0.1:8001/staff?token={SECRET}", "http://127.0.0.1:8001/staff?REDACTED"),
        ("url.query", f"token={SECRET}&x", "REDACTED"),
        ("url.full", f"http://h/p?{SECRET}", "http://h/p?REDACTED"),
        ("http.target", "/api/orders/o1", "/api/orders/o1"),
    ],
)
def test_no_span_keeps_a_query_value(key: str, value: str, expected: str) -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(NoQueryValues(SimpleSpanProcessor(exported)))
    provider.get_tracer(__name__).start_span("GET", attributes={key: value}).end()
    (span,) = exported.get_finished_spans()
    assert span.attributes is not None and span.attributes[key] == expected


def test_a_served_request_is_traced_without_its_query_values() -> None:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(NoQueryValues(SimpleSpanProcessor(exported)))
    app = create_app({"TESTING": True, "DAPR": FakeDapr()})
    FlaskInstrumentor().uninstrument_app(app)
    FlaskInstrumentor().instrument_app(app, tracer_provider=provider)
    app.test_client().get(f"/api/journey?token={SECRET}")
    spans = exported.get_finished_spans()
    assert spans and SECRET not in repr([dict(s.attributes or {}) for s in spans])
    assert [(s.attributes or {}).get("http.target") for s in spans] == ["/api/journey?REDACTED"]
