"""Where the suite listens on 127.0.0.1: the apps and their sidecars, and the control plane; what is taken."""

import socket
from dataclasses import dataclass
from typing import Final

from pizza_common.contract.names import PORTS

LOCALHOST: Final = "127.0.0.1"


@dataclass(frozen=True)
class Service:
    """One process of the control plane: its process name, its port, and its health and metrics ports."""

    kind: str
    port: int
    healthz: int | None = None
    metrics: int | None = None


# As scripts/controlplane.sh starts them, keyed by their pid files' names; the script keeps its own
# copy (shell), which tests/unit/test_ports.py holds to this one.
CONTROL_PLANE: Final = {
    "redis": Service("redis-server", 6379),
    "sentry": Service("sentry", 50001, healthz=58082),
    "placement": Service("placement", 50005, healthz=58080, metrics=59090),
    "scheduler": Service("scheduler", 50006, healthz=58081, metrics=59091),
}
ETCD_PORTS: Final = (52379, 52380)  # the scheduler's embedded etcd: its clients and its peers
# Each sidecar's Prometheus metrics, as both run files fix them (metricsPort).
SIDECAR_METRICS: Final = {app_id: 9091 + i for i, app_id in enumerate(PORTS)}


def app_ports() -> list[int]:
    """Return every app's port and every sidecar's HTTP and metrics port."""
    return [*(port for ports in PORTS.values() for port in ports), *SIDECAR_METRICS.values()]


def control_ports() -> list[int]:
    """Return every port the control plane listens on: its services, their health checks and etcd."""
    services = [s.port for s in CONTROL_PLANE.values()]
    return [*services, *(s.healthz for s in CONTROL_PLANE.values() if s.healthz), *ETCD_PORTS]


def listening(port: int) -> bool:
    """Return whether something accepts connections on the port of 127.0.0.1."""
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((LOCALHOST, port)) == 0


def busy(ports: list[int]) -> list[int]:
    """Return the ports of the list that something listens on."""
    return [port for port in ports if listening(port)]
