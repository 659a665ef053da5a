"""What the engine did per order, from the sidecars' and the scheduler's own Prometheus metrics.

Counters are read before and after each window; their difference over the window's orders gives
orchestrator turns (each a replay of the history in the app), activities, scheduler jobs, pub/sub
publishes and the sidecars' HTTP requests per order.
"""

import contextlib
from collections.abc import Iterable, Mapping
from typing import Final

import httpx
from prometheus_client.parser import text_string_to_metric_families

# What is reported, by name: (metric, label that must hold this value or None, process kind).
COUNTERS: Final = {
    "orchestrator turns": (
        "dapr_grpc_io_server_completed_rpcs", "/TaskHubSidecarService/CompleteOrchestratorTask", "daprd",
    ),
    "activities": (
        "dapr_grpc_io_server_completed_rpcs", "/TaskHubSidecarService/CompleteActivityTask", "daprd",
    ),
    "status reads": ("dapr_grpc_io_server_completed_rpcs", "/TaskHubSidecarService/GetInstance", "daprd"),
    "scheduler jobs created": ("dapr_scheduler_jobs_created", None, "scheduler"),
    "scheduler jobs triggered": ("dapr_scheduler_jobs_triggered", None, "scheduler"),
    "publishes": ("dapr_component_pubsub_egress_count", None, "daprd"),
    "deliveries to subscribers": ("dapr_component_pubsub_ingress_count", None, "daprd"),
    "sidecar HTTP requests": ("dapr_http_server_request_count", None, "daprd"),
}  # fmt: skip
METHOD_LABEL: Final = "grpc_server_method"
Totals = dict[str, float]


def _read(text: str) -> Totals:
    totals: Totals = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            for name, (metric, method, _) in COUNTERS.items():
                # The parser names a counter's samples <family>_total; older exporters, the family.
                if sample.name not in (metric, f"{metric}_total"):
                    continue
                if method is not None and sample.labels.get(METHOD_LABEL) != method:
                    continue
                totals[name] = totals.get(name, 0.0) + sample.value
    return totals


def scrape(ports: Mapping[str, Iterable[int]], timeout_s: float = 5.0) -> Totals:
    """Sum the counters over every metrics port, by process kind; a port that does not answer counts 0."""
    totals: Totals = {}
    with httpx.Client(timeout=timeout_s) as http:
        for kind, kind_ports in ports.items():
            for port in kind_ports:
                with contextlib.suppress(httpx.HTTPError):
                    resp = http.get(f"http://127.0.0.1:{port}/metrics")
                    for name, value in _read(resp.text).items():
                        if COUNTERS[name][2] == kind:
                            totals[name] = totals.get(name, 0.0) + value
    return totals


def per_order(before: Totals, after: Totals, orders: int) -> dict[str, float]:
    """Return each counter's growth over the window divided by its orders."""
    return {
        name: round((after.get(name, 0.0) - before.get(name, 0.0)) / orders, 2)
        for name in COUNTERS
        if orders and name in after
    }
