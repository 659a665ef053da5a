"""The suite spread over three hosts: the control plane on A, the workflow and kitchen on B, the rest on C."""

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import httpx

from pizza_common.contract.names import (
    DELIVERY_APP,
    KITCHEN_APP,
    ORDER_APP,
    PORTS,
    STOREFRONT_APP,
    WORKFLOW_APP,
)
from pizza_run import health, hosts, layout
from pizza_run.http import TokenAuth
from pizza_run.layout import REDIS_PASSWORD, ROOT, load_tokens
from pizza_run.ports import CONTROL_PLANE
from tests.hosts.netns import SUBNET, Network, Transport, entered

log = logging.getLogger(__name__)
CONTROL: Final = "a"
APPS: Final = {"b": [WORKFLOW_APP, KITCHEN_APP], "c": [ORDER_APP, STOREFRONT_APP, DELIVERY_APP]}
NETWORK: Final = Network({"a": f"{SUBNET}.1", "b": f"{SUBNET}.2", "c": f"{SUBNET}.3"})
READY_S: Final = 180


@dataclass
class Spread:
    """The suite's processes on the hosts of NETWORK, with the data folder they share."""

    data: Path
    settings: dict[str, str]
    runners: dict[str, "subprocess.Popen[bytes]"] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def env(self, host: str) -> dict[str, str]:
        """Return the environment of a host's processes: the suite's, with the host's addresses."""
        path = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"  # the apps' python3
        base = os.environ | self.settings | {"PIZZA_DATA_DIR": str(self.data), "PATH": path}
        control = NETWORK.addresses[CONTROL]
        return (
            base
            | self.tokens
            | {
                hosts.BIND_ADDRESS: NETWORK.addresses[host],
                hosts.CONTROL_PLANE_HOST: control,
                hosts.REDIS_HOST: f"{control}:{CONTROL_PLANE['redis'].port}",
            }
        )

    def controlplane(self, command: str) -> None:
        argv = ["ip", "netns", "exec", NETWORK.namespace(CONTROL), "bash", "scripts/controlplane.sh", command]
        subprocess.run([*argv, *(["locked"] if command == "start" else [])], cwd=ROOT, env=self.env(CONTROL),
                       check=True, timeout=120)  # fmt: skip

    def start(self) -> None:
        """Start the control plane on A, then each host's apps and sidecars with the project's launcher."""
        self.tokens = load_tokens(os.environ | {"PIZZA_DATA_DIR": str(self.data)})
        self.controlplane("start")
        self.tokens["DAPR_TRUST_ANCHORS"] = (self.data / "certs" / "ca.crt").read_text()
        for host, apps in APPS.items():
            ns = NETWORK.namespace(host)
            argv = ["ip", "netns", "exec", ns, sys.executable, "-m", "pizza_run", "run"]
            argv += ["-f", "dapr.locked.yaml", *(arg for app in apps for arg in ("--app", app))]
            with (self.data / f"host-{host}.log").open("wb") as out:
                self.runners[host] = subprocess.Popen(
                    argv, cwd=ROOT, env=self.env(host), stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                )  # fmt: skip

    def auth(self) -> TokenAuth:
        return TokenAuth(self.tokens)

    @staticmethod
    def transport() -> Transport:
        """Return a transport that reaches each app and sidecar on its host, each health check on A."""
        where = {CONTROL_PLANE[n].healthz or 0: NETWORK.namespace(CONTROL) for n in CONTROL_PLANE}
        for host, apps in APPS.items():
            where |= {port: NETWORK.namespace(host) for app in apps for port in PORTS[app]}
        return Transport(where)

    def exited(self) -> str | None:
        codes = {host: proc.poll() for host, proc in self.runners.items()}
        gone = [f"host {host} exited with {code}" for host, code in codes.items() if code is not None]
        return "; ".join(gone) or None

    def wait_ready(self) -> float:
        """Wait until every process answers and the workflow's sidecar reaches each app; return the time."""
        started = time.monotonic()
        http = httpx.Client(timeout=2, auth=self.auth(), transport=self.transport())
        with http, entered(NETWORK.namespace(CONTROL)):  # Redis's ping, on A
            password = self.tokens.get(REDIS_PASSWORD)
            health.wait(lambda: health.suite_waiting_for(http, password), self.exited, READY_S, self.data)
        return time.monotonic() - started

    def internal_ports(self) -> dict[str, int]:
        """Return each sidecar's internal gRPC port (the one the others call), from the runners' records."""
        records = sorted(layout.runs_dir(self.data).glob("multirun-*.json"))
        return {
            app["app_id"]: app["internal_grpc_port"] for r in records for app in json.loads(r.read_text())
        }

    def stop(self) -> None:
        """Stop the runners as Ctrl+C does, then the control plane; name anything left on the hosts."""
        for proc in self.runners.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.runners.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=30)
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.controlplane("stop")
        for pid in NETWORK.pids():
            log.warning("pid %d outlived the suite on its host", pid)
