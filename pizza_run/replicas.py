"""More than one instance of an app: PIZZA_REPLICAS, and the ports, name and log folder of each replica.

`PIZZA_REPLICAS=pizza-workflow=2,pizza-kitchen=2` runs two of each: the first keeps the run file's
ports, replica r (2 to 9) gets each port the run file sets plus 10 * (r - 1) (pizza-kitchen's
second: app 8013, sidecar 3513), and the ports left to the runner stay free ones.
"""

import dataclasses
from collections.abc import Mapping
from typing import Final

from pizza_common.contract.names import ORDER_APP, PORTS
from pizza_run.runfile import REPLICA_SEPARATOR, AppSpec

ENV: Final = "PIZZA_REPLICAS"
MAX: Final = 9
STEP: Final = 10  # below the OS's free ports (32768 and up), and clear of the control plane's
# The run file's keys that set a port; each one set is shifted for a replica.
PORT_KEYS: Final = (
    "appPort",
    "daprHTTPPort",
    "daprGRPCPort",
    "metricsPort",
    "daprInternalGRPCPort",
    "profilePort",
)
# Apps whose state lives in the process: a second instance would see only part of it.
SINGLE: Final = {
    ORDER_APP: "its live event streams (the shop page) would reach only the updates its own process gets",
}


class ReplicaError(ValueError):
    """PIZZA_REPLICAS asks for something the suite cannot run."""


def counts(environ: Mapping[str, str]) -> dict[str, int]:
    """Return the number of instances PIZZA_REPLICAS asks for, by app id (1 for any app it does not name)."""
    asked: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in environ.get(ENV, "").split(","))):
        app_id, sep, number = item.partition("=")
        if not sep or not number.strip().isdigit() or not 1 <= int(number) <= MAX:
            raise ReplicaError(f"{ENV}: {item!r} is not <app-id>=<1 to {MAX}>, e.g. pizza-workflow=2")
        asked[app_id.strip()] = int(number)
    for app_id, why in SINGLE.items():
        if asked.get(app_id, 1) > 1:
            raise ReplicaError(f"{ENV}: {app_id} runs as one process only: {why}")
    return asked


def shift(port: int, replica: int) -> int:
    """Return the port replica `replica` uses for a port the first one uses."""
    return port + STEP * (replica - 1)


def expand(apps: list[AppSpec], environ: Mapping[str, str]) -> list[AppSpec]:
    """Return the run file's apps with their replicas after each, as PIZZA_REPLICAS asks."""
    asked = counts(environ)
    unknown = sorted(set(asked) - {app.app_id for app in apps})
    if unknown:
        raise ReplicaError(f"{ENV}: no app {', '.join(unknown)} in the run file")
    expanded = []
    for app in apps:
        expanded.append(app)
        for r in range(2, asked.get(app.app_id, 1) + 1):
            ports = {k: shift(int(app.own[k]), r) for k in PORT_KEYS if int(app.own.get(k) or 0) > 0}
            expanded.append(dataclasses.replace(app, own=app.own | ports, replica=r))
    return expanded


def names(environ: Mapping[str, str]) -> list[str]:
    """Return the names of the replicas PIZZA_REPLICAS adds to the suite's apps (pizza-kitchen.2, ...)."""
    asked = counts(environ).items()
    return [f"{a}{REPLICA_SEPARATOR}{r}" for a, n in asked if a in PORTS for r in range(2, n + 1)]


def split(name: str) -> tuple[str, int]:
    """Return the app id and the replica number of a name (pizza-kitchen.2; pizza-kitchen is replica 1)."""
    app_id, sep, number = name.rpartition(REPLICA_SEPARATOR)
    return (app_id, int(number)) if sep and number.isdigit() else (name, 1)
