"""One normal form of how a suite was started: for the recorder of the real CLI and the stand-in's test.

Folders become {root} and {home}, the three ports the CLI picks at random become {grpc_port},
{metrics_port} and {internal_grpc_port}, secrets become their names, and pids become the relations
that matter: whose child each process is, and which process group it is in.
"""

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECRETS = (
    "DAPR_API_TOKEN",
    "APP_API_TOKEN",
    "DAPR_TRUST_ANCHORS",
    "PIZZA_STAFF_TOKEN",
    "PIZZA_SECRET_KEY",
    "PIZZA_REDIS_PASSWORD",
)
RANDOM_PORT_FLAGS = {
    "--dapr-grpc-port": "{grpc_port}",
    "--metrics-port": "{metrics_port}",
    "--dapr-internal-grpc-port": "{internal_grpc_port}",
}


def _text(value: str, home: str, ports: dict[str, str]) -> str:
    value = value.replace(str(ROOT), "{root}")
    if home and home != "/":
        value = value.replace(home, "{home}")
    return ports.get(value, value)


def _env(env: dict[str, str], home: str, ports: dict[str, str]) -> dict[str, str]:
    return {k: "{" + k + "}" if k in SECRETS else _text(v, home, ports) for k, v in env.items()}


def _process(proc: dict[str, Any], home: str, ports: dict[str, str]) -> dict[str, Any]:
    argv = [_text(a, home, ports) for a in proc["argv"]]
    return {"argv": argv, "env": _env(proc["env"], home, ports), "cwd": _text(proc["cwd"], home, {})}


def normalise(record: dict[str, Any]) -> dict[str, Any]:
    """Return a record of a run ({"cli": process, "apps": {id: {"daprd": p, "app": p}}}) in normal form."""
    cli = record["cli"]
    home = cli["env"].get("HOME", "")
    apps = {}
    for app_id, procs in record["apps"].items():
        daprd, app = procs["daprd"], procs.get("app")
        argv = daprd["argv"]
        # Each random port, by its value, so that the same number in the app's environment matches.
        ports = {argv[argv.index(flag) + 1]: name for flag, name in RANDOM_PORT_FLAGS.items()}
        entry = {
            "daprd": _process(daprd, home, ports)
            | {
                "child_of_runner": daprd["ppid"] == cli["pid"],
                "in_runner_group": daprd["pgid"] == cli["pid"],
            },
        }
        if app:
            entry["app"] = _process(app, home, ports) | {
                "child_of_runner": app["ppid"] == cli["pid"],
                "leads_own_group": app["pgid"] == app["pid"],
            }
        apps[app_id] = entry
    return {
        "cli": {"version": cli["version"], "run_file": cli["run_file"], "env": _env(cli["env"], home, {})},
        "apps": apps,
    }


def denormalise_env(env: dict[str, str], home: str) -> dict[str, str]:
    """Return a recorded environment with real folders again (secrets keep their placeholder values)."""
    return {k: v.replace("{root}", str(ROOT)).replace("{home}", home) for k, v in env.items()}
