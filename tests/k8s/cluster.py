"""The shop on the local Kubernetes cluster (scripts/k8s.sh, scripts/k8s-shop.sh), as the tests reach it.

The tests run inside node1's network namespace (make test-k8s), where kube-proxy's rules make the
Services' addresses work and every pod's address is routed: pizza-order and pizza-workflow are called
through their Services, the other apps (the audit's inventory and payments) at a Ready pod's address.
"""

import base64
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Generator
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from pizza_common.contract.names import ORDER_APP, PORTS, STAFF_HEADER, WORKFLOW_APP
from pizza_run.http import TOKEN_HEADER

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = os.environ.get("PIZZA_K8S_NAMESPACE", "shop")
SERVICES = (ORDER_APP, WORKFLOW_APP)  # the chart's two Services
CGROUPS = Path("/sys/fs/cgroup/pids/pk8s")  # scripts/k8s.sh: node<N>/ holds that node's pods


def unavailable() -> str | None:
    """Return why the cluster tests cannot run here, or None if they can."""
    if os.environ.get("PIZZA_K8S_TESTS") != "1":
        return "the cluster tests run with make test-k8s (after make k8s-up)"
    if not Path("/run/netns/pk8s-node1").exists():
        return "no local cluster: make k8s-up"
    return None


def kubectl(*args: str, timeout: float = 120) -> str:
    """Run kubectl on the cluster as its admin; return its output, raise if it failed."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts/k8s.sh"), "kubectl", "-n", NAMESPACE, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def objects(*args: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(kubectl("get", *args, "-o", "json"))["items"]
    return items


@cache
def secret(name: str, key: str) -> str:
    raw = kubectl("get", "secret", name, "-o", f"jsonpath={{.data.{key}}}")
    return base64.b64decode(raw).decode()


def host_name(app_id: str) -> str:
    return f"{app_id}.{NAMESPACE}.svc.cluster.local"


def ready(pod: dict[str, Any]) -> bool:
    if pod["metadata"].get("deletionTimestamp"):
        return False
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def pods(app_id: str) -> list[dict[str, Any]]:
    return objects("pods", "-l", f"app.kubernetes.io/name={app_id}")


def ready_pods(app_id: str) -> list[dict[str, Any]]:
    return [p for p in pods(app_id) if ready(p)]


class Shop:
    """The URLs of the apps on the cluster, and the auth that carries the shop's tokens and Host names."""

    def __init__(self) -> None:
        self.service_ip = {
            app: kubectl("get", "service", app, "-o", "jsonpath={.spec.clusterIP}") for app in SERVICES
        }
        self._hosts = {ip: host_name(app) for app, ip in self.service_ip.items()}
        self._pod_ip: dict[str, tuple[float, str]] = {}

    def url(self, app: str, path: str) -> str:
        """Return the URL of an app's path: its Service, or a Ready pod of it."""
        if app in self.service_ip:
            return f"http://{self.service_ip[app]}{path}"
        when, ip = self._pod_ip.get(app, (0.0, ""))
        if time.monotonic() - when > 5:  # the pods move in the drills
            found = ready_pods(app)
            ip = found[0]["status"]["podIP"] if found else ip
            self._pod_ip[app] = (time.monotonic(), ip)
        return f"http://{ip}:{PORTS[app][0]}{path}"

    def auth(self) -> httpx.Auth:
        app, staff = secret("pizza-app-api-token", "token"), secret("pizza-staff", "staff-token")
        return ShopAuth(app, staff, self._hosts)

    def client(self) -> httpx.Client:
        return httpx.Client(timeout=10, auth=self.auth())


class ShopAuth(httpx.Auth):
    """As the suite's TokenAuth for apps: the app token and the staff's on every request (each goes
    to an app), and the Host each app answers to (a Service's name; loopback's at a pod's address)."""

    def __init__(self, app_token: str, staff_token: str, hosts: dict[str, str]) -> None:
        self._app, self._staff, self._hosts = app_token, staff_token, hosts

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[TOKEN_HEADER] = self._app
        request.headers[STAFF_HEADER] = self._staff
        request.headers["Host"] = self._hosts.get(request.url.host, "localhost")
        yield request


def wait(what: str, done: Callable[[], bool], timeout: float) -> float:
    """Poll until done() holds; return the seconds it took."""
    started = time.monotonic()
    deadline = started + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout:.0f} s")
        time.sleep(0.5)
    return time.monotonic() - started


def sidecar_status(app_id: str, target: str, method: str) -> int:
    """The status of invoking target's method through app_id's own sidecar, from inside its pod."""
    code = (
        "import os, urllib.request, urllib.error\n"
        f"r = urllib.request.Request('http://127.0.0.1:3500/v1.0/invoke/{target}/method/{method}',"
        " headers={'dapr-api-token': os.environ['DAPR_API_TOKEN']})\n"
        "try:\n    print(urllib.request.urlopen(r, timeout=10).status)\n"
        "except urllib.error.HTTPError as e:\n    print(e.code)\n"
    )
    out = kubectl("exec", f"deploy/{app_id}", "-c", "app", "--", "python3", "-c", code)
    return int(out.strip())


def node_of(pod: dict[str, Any]) -> str:
    node: str = pod["spec"]["nodeName"]
    return node


def kill_containers(node: str) -> int:
    """SIGKILL every process of a node's pods (apps, sidecars, sandboxes); return how many."""
    killed = 0
    for procs in (CGROUPS / node).rglob("cgroup.procs"):
        for pid in procs.read_text().split():
            try:
                os.kill(int(pid), signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
    return killed


def cable(node: str, up: bool) -> None:
    """Plug a node's cable to the switch in or out (scripts/k8s.sh)."""
    subprocess.run(
        ["ip", "-n", "pk8s-switch", "link", "set", f"port-{node}", "up" if up else "down"],
        check=True,
        capture_output=True,
        timeout=30,
    )


def node_daemons(action: str, node: str) -> None:
    """Stop a node as a lost machine stops (stop-node), or start it again (start-node): scripts/k8s.sh."""
    number = node.removeprefix("node")
    subprocess.run(["bash", str(ROOT / "scripts/k8s.sh"), action, number], check=True, timeout=180)


def cooked(pod: dict[str, Any]) -> int:
    """How many /cook calls a kitchen pod's sidecar has made to its app (from the sidecar's metrics)."""
    metrics = httpx.get(f"http://{pod['status']['podIP']}:9090/metrics", timeout=10).text
    calls = [line for line in metrics.splitlines() if line.startswith("dapr_http_client_completed_count{")]
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in calls if 'path="/cook",status="200"' in line)
