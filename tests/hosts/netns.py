"""Hosts made of Linux network namespaces, on a bridge of their own, and a client that reaches into them.

The bridge lives in a namespace of its own (the switch), so nothing is added to this machine's own
interfaces or routes, and the hosts' traffic stays between the namespaces made here.
"""

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import httpx

CLONE_NEWNET = 0x40000000
SUBNET = "10.77.0"  # the project's own; the test refuses to run if an interface here already uses it
SWITCH = "pizzanet-switch"
_libc = ctypes.CDLL(None, use_errno=True)


def unavailable() -> str | None:
    """Return why namespaces cannot be made here, or None if they can."""
    if os.geteuid() != 0:
        return "making network namespaces needs root"
    if shutil.which("ip") is None:
        return "no `ip` command (iproute2)"
    if _output("ip", "netns", "list") is None:
        return "`ip netns` is not available"
    if f"inet {SUBNET}." in (_output("ip", "-o", "addr") or ""):
        return f"{SUBNET}.0/24 is already used on this machine"
    return None


def _output(*argv: str) -> str | None:
    """Return a command's output, or None if it failed."""
    done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30)
    return done.stdout if done.returncode == 0 else None


def machine() -> tuple[str, str]:
    """Return this machine's own interfaces and routes, which making the hosts must leave as they were."""
    links = _output("ip", "-o", "link") or ""
    return " ".join(sorted(line.split(":")[1].strip() for line in links.splitlines())), _output(
        "ip", "route"
    ) or ""


def _setns(fd: int) -> None:
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns failed")


@contextlib.contextmanager
def entered(namespace: str) -> Iterator[None]:
    """Move this thread (only) into a namespace: sockets it opens meanwhile belong to that host."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    try:
        _setns(target)
        yield
    finally:
        _setns(own)
        os.close(target)
        os.close(own)


class Transport(httpx.BaseTransport):
    """An httpx transport that opens each connection in the namespace of the host serving its port."""

    def __init__(self, namespace_of_port: Mapping[int, str]) -> None:
        self._inner = httpx.HTTPTransport()
        self._where = dict(namespace_of_port)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        namespace = self._where.get(request.url.port or 80)
        with entered(namespace) if namespace else contextlib.nullcontext():
            return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@dataclass(frozen=True)
class Network:
    """Hosts by name (their namespaces are `pizzanet-<name>`), each with an address on the switch."""

    addresses: Mapping[str, str]

    @staticmethod
    def namespace(host: str) -> str:
        return f"pizzanet-{host}"

    @staticmethod
    def port(host: str) -> str:
        return f"port-{host}"  # the host's cable, on the switch's side

    def create(self) -> None:
        """Make the switch and the hosts, each cabled to the switch (a veth pair), after any leftovers."""
        self.destroy()
        ip("netns", "add", SWITCH)
        ip("-n", SWITCH, "link", "add", "br0", "type", "bridge")
        ip("-n", SWITCH, "link", "set", "br0", "up")
        for host, address in self.addresses.items():
            ns = self.namespace(host)
            ip("netns", "add", ns)
            cable = ("type", "veth", "peer", "name", "eth0", "netns", ns)
            ip("-n", SWITCH, "link", "add", self.port(host), *cable)
            ip("-n", SWITCH, "link", "set", self.port(host), "master", "br0", "up")
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "addr", "add", f"{address}/24", "dev", "eth0")
            ip("-n", ns, "link", "set", "eth0", "up")
            # mDNS multicasts to 224.0.0.251: through the cable, as there is no default route.
            ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0")

    def cut(self, host: str) -> None:
        """Unplug a host's cable: its link to the switch goes down."""
        ip("-n", SWITCH, "link", "set", self.port(host), "down")

    def mend(self, host: str) -> None:
        ip("-n", SWITCH, "link", "set", self.port(host), "up")

    def pids(self) -> list[int]:
        """Return the processes still running in any of the hosts."""
        found = []
        for host in self.addresses:
            found += [int(p) for p in (_output("ip", "netns", "pids", self.namespace(host)) or "").split()]
        return found

    def exposed(self, host: str) -> set[int]:
        """Return the TCP ports a host listens on beyond its loopback: what the other hosts can reach."""
        table = _output("ss", "-N", self.namespace(host), "-ltnH") or ""
        local = [line.split()[3].rpartition(":") for line in table.splitlines()]
        return {int(port) for address, _, port in local if not address.startswith(("127.", "[::1]"))}

    def destroy(self) -> None:
        """Kill what still runs on the hosts, then remove them and the switch (and so their cables)."""
        for pid in self.pids():  # a namespace outlives its deletion while a process holds it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.1)
        for ns in [*map(self.namespace, self.addresses), SWITCH]:
            if os.path.exists(f"/run/netns/{ns}"):
                ip("netns", "del", ns)
