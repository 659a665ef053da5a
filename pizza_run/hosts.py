"""Where a sidecar listens for the others and finds the control plane: loopback, or a host's address.

Three settings, unset for one machine (docs/configuration.md): PIZZA_BIND_ADDRESS, the host's own
address, where its sidecars take the other sidecars' calls (and what they announce); the control
plane's host (Sentry, placement, scheduler); and Redis's host:port, which the components name.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import yaml

from pizza_run import layout
from pizza_run.ports import CONTROL_PLANE, LOCALHOST

BIND_ADDRESS: Final = "PIZZA_BIND_ADDRESS"
CONTROL_PLANE_HOST: Final = "PIZZA_CONTROL_PLANE_HOST"
REDIS_HOST: Final = "PIZZA_REDIS_HOST"
# The daprd flags of the control plane's addresses, each with its service's port.
_ADDRESS_FLAGS: Final = {
    "--placement-host-address": "placement",
    "--scheduler-host-address": "scheduler",
    "--sentry-address": "sentry",
}


def daprd_extras(environ: Mapping[str, str]) -> list[str]:
    """Return the flags this runner adds after the CLI's: where the internal gRPC and metrics listen."""
    bind = environ.get(BIND_ADDRESS) or LOCALHOST
    return ["--dapr-internal-grpc-listen-address", bind, "--metrics-listen-address", LOCALHOST]


def daprd_argv(argv: list[str], environ: Mapping[str, str]) -> list[str]:
    """Return daprd's argv with the control plane's host in its addresses, and the extras added."""
    host, argv = environ.get(CONTROL_PLANE_HOST), list(argv)
    # Replaced, not repeated: daprd appends a repeated --scheduler-host-address to the first.
    for i, flag in enumerate(argv[:-1]):
        if host and flag in _ADDRESS_FLAGS:
            argv[i + 1] = f"{host}:{CONTROL_PLANE[_ADDRESS_FLAGS[flag]].port}"
    return [*argv, *daprd_extras(environ)]


def daprd_env(environ: Mapping[str, str]) -> dict[str, str]:
    """Return what daprd announces as its address (name resolution, placement): the host's, if set."""
    bind = environ.get(BIND_ADDRESS)
    return {"DAPR_HOST_IP": bind} if bind else {}


def resources(paths: list[Path], environ: Mapping[str, str]) -> list[Path]:
    """Return the components' folders, copied with PIZZA_REDIS_HOST as their redisHost if it is set."""
    redis = environ.get(REDIS_HOST)
    if not redis:
        return paths
    copies = []
    for i, path in enumerate(paths):
        copy = layout.data_dir() / "resources" / f"{os.getpid()}-{i}"
        copy.mkdir(parents=True, exist_ok=True)
        for source in sorted(path.glob("*.yaml")):
            spec = yaml.safe_load(source.read_text())
            for item in (spec.get("spec") or {}).get("metadata") or []:
                if item.get("name") == "redisHost":
                    item["value"] = redis
            (copy / source.name).write_text(yaml.safe_dump(spec, sort_keys=False))
        copies.append(copy)
    return copies
