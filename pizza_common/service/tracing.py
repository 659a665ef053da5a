"""The one place that traces: each app's spans to Zipkin, and the W3C context passed on to its sidecar.

An order's trace starts at the request that starts it. Flask's instrumentation continues the
`traceparent` a sidecar sends with each invocation and delivery, urllib3's puts the current span's
on every call to the app's own sidecar (pizza_common/sidecar/dapr_io.py), and gRPC's puts it on the workflow
client's calls, so that the workflow engine takes it as the workflow's parent; the SDK then runs each
activity in a span under the engine's context for it.

No span keeps a query string's values: a query may carry a credential (a sign-in link's token), and
Zipkin answers any local process.
"""

import os
from collections.abc import Sequence

from flask import Flask
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.exporter.zipkin.json import ZipkinExporter
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.urllib3 import URLLib3Instrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
)
from opentelemetry.trace import Link, SpanKind, TraceState
from opentelemetry.util.types import Attributes

from pizza_common.service.settings import Settings

# daprd probes it every few seconds: a trace each time would bury the orders' traces.
UNTRACED_URLS = "healthz"
# Where the HTTP instrumentations put a request's query, in the old semantic conventions and the new.
QUERY_ATTRIBUTES = ("http.target", "http.url", "url.full", "url.query")
REDACTED = "REDACTED"


class _RequestsOnly(Sampler):
    """Record a root span only for a request to the app; the rest follows its parent's decision.

    Without a parent, a client span is the app's own housekeeping, not an order's work: the workflow
    worker's stream of work items and its turns, the health probe of the sidecar.
    """

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind == SpanKind.SERVER:
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)
        return SamplingResult(Decision.DROP, None, trace_state)

    def get_description(self) -> str:
        return "RequestsOnly"


def redact_query(url: str, *, bare: bool = False) -> str:
    """Return a URL (or a bare query, `bare`) with its query replaced: a name may be the secret too."""
    if bare:
        return REDACTED if url else url
    head, sep, query = url.partition("?")
    return f"{head}?{REDACTED}" if sep and query else url


def redacted(span: ReadableSpan) -> ReadableSpan:
    """Return the span, or a copy of it without the values of its URLs' queries."""
    attributes = dict(span.attributes or {})
    found = {k: v for k in QUERY_ATTRIBUTES if isinstance(v := attributes.get(k), str)}
    if not found:
        return span
    attributes |= {k: redact_query(v, bare=k == "url.query") for k, v in found.items()}
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=attributes,
        events=span.events,
        links=span.links,
        kind=span.kind,
        status=span.status,
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


class NoQueryValues(SpanProcessor):
    """Hand `inner` each ended span without its queries: the instrumentations set their URL attributes
    after the span starts, so it is done as the span ends, for server and client spans alike."""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        self._inner.on_end(redacted(span))

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)


def _provider(settings: Settings, service: str) -> TracerProvider:
    if settings.tracing == "off":
        # Spans still carry a context, marked unsampled: the sidecars' parent-based sampler follows it.
        return TracerProvider(sampler=ALWAYS_OFF)
    provider = TracerProvider(
        sampler=ParentBased(root=_RequestsOnly()), resource=Resource.create({SERVICE_NAME: service})
    )
    provider.add_span_processor(
        NoQueryValues(BatchSpanProcessor(ZipkinExporter(endpoint=settings.zipkin_url)))
    )
    return provider


def init_app(app: Flask, name: str) -> None:
    """Trace the app's requests, and once per process its calls to its sidecar."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        settings: Settings = app.config["SETTINGS"]
        # The app id, as the sidecar names its own spans: both sides of a call under one service.
        trace.set_tracer_provider(_provider(settings, os.environ.get("APP_ID") or name))
        URLLib3Instrumentor().instrument()
    FlaskInstrumentor().instrument_app(app, excluded_urls=UNTRACED_URLS)  # type: ignore[no-untyped-call]


def trace_id() -> str | None:
    """Return the current span's trace id in hex, or None outside a sampled span."""
    context = trace.get_current_span().get_span_context()
    return trace.format_trace_id(context.trace_id) if context.trace_flags.sampled else None
